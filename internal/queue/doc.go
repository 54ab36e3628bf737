// Package queue is the job queue of Goldsmith: typed job kinds on River
// (github.com/riverqueue/river), kept in the store's own database, so that
// a job is enqueued in the same transaction as the records it is about.
//
// # Pieces
//
// Open gives a Queue on a store from internal/store/sqlite (River's SQLite
// driver on the store's writer connection) or internal/store/postgres
// (riverpgxv5 on the store's pool). It migrates River's tables first
// (river_job, river_leader …, next to the store's own; rivermigrate with
// River's embedded migrations), in one transaction that SQLite's BEGIN
// IMMEDIATE or a PostgreSQL advisory lock keeps to one process at a time,
// so processes may start together and a migrated database is left alone.
//
// Queue.InsertTx enqueues a job inside a store transaction: the job is
// committed or rolled back with the records written in that transaction.
// The kinds are the Args types of this package (BuildImage, kind
// "build_image", in queue "builds"; Notify, kind "notify", in queue
// "notifications"); each has its River queue, attempts and uniqueness. A
// BuildImage is unique by ImageARN in every job state: inserting it again
// returns the existing job with Inserted.Duplicate set. A Notify is unique
// by its event id, and River's backoff spaces its retries (an outbox: the
// event is committed with the change it reports).
//
// NewWorkers gives the workers of one process: a function per kind (a
// process may run builds, deliver notifications, or both) and a
// concurrency per queue. Workers.Start fetches and runs jobs; Workers.Stop stops
// fetching, waits for running jobs while its ctx lasts, then cancels them so
// that River hands them back (available again, the attempt not counted)
// and waits up to WorkersConfig.CancelTimeout for them to return.
//
// Queue.Stats (build jobs waiting and running, over every worker) and
// Workers.Running / Workers.Concurrency (this process) are for metrics.
//
// # Heartbeats and dead workers
//
// River finds abandoned jobs with its rescuer, which runs on the elected
// leader among the started clients every 30 s and moves a job that has been
// "running" for longer than RescueStuckJobsAfter back to retryable (or to
// discarded after its last attempt). Builds run for far longer than the
// 60 s in which a dead worker's build must be freed, so this package does
// not let a job look stuck while its worker lives:
//
//   - While a handler runs, a heartbeat moves the job's attempted_at to now
//     every HeartbeatInterval (3 s), in a transaction that also checks the
//     job is still running under this attempt and worker (else the handler's
//     ctx is cancelled with ErrJobLost as its cause).
//   - RescueStuckJobsAfter is HeartbeatTimeout (15 s): a job whose heartbeat
//     stopped — its process was killed, or lost the database — becomes
//     rescuable 15 s after its last beat.
//   - River also skips a running job younger than the job's timeout, and
//     applies that timeout to the handler's ctx. A build must not be cut off
//     and a dead build must be rescued, so the timeout is "none" while the
//     heartbeat is fresh (always so when the attempt starts: River has just
//     set attempted_at) and HeartbeatTimeout once it is stale (only the
//     rescuer asks then). Hosts' clocks must therefore agree within
//     HeartbeatTimeout, as River's leader election already requires.
//   - A worker that cannot beat for HeartbeatTimeout−HeartbeatInterval
//     cancels its handler (ErrJobLost) before the rescuer may hand the job
//     to another worker.
//   - River's own end of an attempt (completed, retryable …) checks only
//     that the job is running, not whose attempt it is. So a handler whose
//     job was lost (its ctx's cause, or Fence, is ErrJobLost) does not end
//     its attempt while the job runs under another attempt or worker: the
//     worker waits, reading the job every PollInterval, until the new
//     owner has ended it (or Stop cancels the wait), and River's end of the
//     old attempt then changes nothing. Its writes are refused meanwhile:
//     builds are fenced (Job.Fence) and idempotent, see below.
//
// Worst case from a kill to the next attempt starting: 15 s to rescuable +
// up to 30 s to the rescuer's next run (a killed leader is replaced within
// ~20 s, and a new leader's rescuer runs at once) + up to 5 s for River's
// scheduler to make the retry available + PollInterval (1 s): about 51 s.
//
// # For the integrator (build handler, service, server)
//
//   - The handler of BuildImage must be idempotent on the image: it may run
//     again after a crash, a hand-back or a retry. Job.Attempt, Job.Rescued
//     (the previous attempt's worker stopped beating) and Job.Errors tell it
//     what happened before.
//   - Keep the last attempt for reporting: on Job.Final, do not build; mark
//     the image FAILED (with the reason in Job.Errors, e.g. "the worker
//     stopped during the build") and return nil. A rescue of the last
//     attempt discards the job without running anything, which would leave
//     the image in BUILDING forever. BuildImage has 3 attempts.
//   - Write the build's outcome (AVAILABLE, FAILED) in a store transaction
//     that first calls Job.Fence: it fails with ErrJobLost, and the
//     transaction rolls back, when another worker has taken the job over.
//   - A handler must return soon after its ctx is cancelled (Stop, lost
//     job), after running its cleanups, returning the ctx error (wrapped):
//     a job cancelled by Stop is then handed back, not failed.
//   - Resources of a build whose worker died (VM, overlay disks, files) are
//     on that host: clean them up when the worker starts again, before
//     Workers.Start (scan the work directory; the job has been rescued or
//     will be).
//   - Stop the Workers before closing the store.
//   - The account's concurrent-build quota is not enforced here.
//
// # SQLite
//
// River's SQLite driver wants one connection (parallel operations fail with
// SQLITE_BUSY); it runs on the store's single writer connection, whose
// transactions begin IMMEDIATE, so River's and the store's writes queue in
// Go. Consequences: code holding a store transaction must use only that
// transaction (InsertTx does); River's periodic work takes turns with the
// store's writes. Workers on SQLite poll (PollOnly, every PollInterval)
// instead of using River's SQLite listener, which would poll the
// notification table every 50 ms on that same connection. Several processes
// may share one database file (tested with two clients on one file: each
// job runs once); on PostgreSQL, `goldsmith worker` hosts share the
// database, and jobs are fetched with LISTEN/NOTIFY. On PostgreSQL, size the
// store's pool for the workers: River keeps one connection for LISTEN, and
// each running job beats on its own.
package queue
