package server

import (
	"github.com/goldsmith-dev/goldsmith/internal/buildjob"
	"github.com/goldsmith-dev/goldsmith/internal/queue"
)

// WithWorkersHook returns c whose build runner and queue workers hook
// changes before they start (a fake build, short heartbeats).
func WithWorkersHook(c Config, hook func(*buildjob.Runner, *queue.WorkersConfig)) Config {
	c.workersHook = hook
	return c
}
