// Package notify tells the outside world when an image build changes state.
//
// Goldsmith has no Amazon SNS. An infrastructure configuration's snsTopicArn
// (for example arn:aws:sns:goldsmith-local-1:123456789012:builds) is instead
// the name of a [Webhook] configured on the server: a URL and a shared
// secret. Publishing to the topic is an HTTP POST of one JSON [Event] to
// that URL. A topic ARN with no webhook configured is an error
// ([ErrUnknownTopic]) that names the topic and says how to configure it.
//
// # Event format
//
// The body is modelled on the Amazon EventBridge event "EC2 Image Builder
// Image State Change", so that a consumer written for AWS needs few changes,
// with the fields a webhook consumer needs added to detail:
//
//	{
//	  "version": "0",
//	  "id": "6f2c1a3e-0d4b-4a55-9a57-0c1e2d3f4a5b",
//	  "detail-type": "EC2 Image Builder Image State Change",
//	  "source": "aws.imagebuilder",
//	  "account": "123456789012",
//	  "time": "2025-03-04T05:06:07Z",
//	  "region": "goldsmith-local-1",
//	  "resources": ["arn:aws:imagebuilder:goldsmith-local-1:123456789012:image/web/1.2.0/3"],
//	  "detail": {
//	    "previous-state": {"status": "DISTRIBUTING"},
//	    "state": {"status": "FAILED", "reason": "..."},
//	    "image": {
//	      "arn": "arn:aws:imagebuilder:goldsmith-local-1:123456789012:image/web/1.2.0/3",
//	      "name": "web",
//	      "version": "1.2.0",
//	      "buildVersion": 3,
//	      "sourcePipelineArn": "arn:aws:imagebuilder:goldsmith-local-1:123456789012:image-pipeline/nightly"
//	    },
//	    "snsTopicArn": "arn:aws:sns:goldsmith-local-1:123456789012:builds"
//	  }
//	}
//
// The envelope members (version, id, detail-type, source, account, time,
// region, resources) keep their EventBridge names and meaning: id is a UUID
// that is unique per event and stable across retries, time is UTC with
// second precision, resources holds the image build version ARN. In detail,
// previous-state is left out when the previous status is unknown, and
// state.reason is left out when empty; image.sourcePipelineArn is left out
// for an image not built by a pipeline. Statuses are those of the Image
// Builder API (PENDING, CREATING, BUILDING, TESTING, DISTRIBUTING,
// INTEGRATING, AVAILABLE, FAILED, CANCELLED, DEPRECATED, DISABLED, DELETED).
// As with SNS on AWS, the builder publishes to the topic when an image
// becomes AVAILABLE or FAILED, and also when it is CANCELLED
// ([Status.Notifies]): once per image, at its end. testdata/*.json holds
// complete examples, checked by the tests.
//
// # Request
//
// Each POST carries Content-Type: application/json and three headers:
//
//	X-Goldsmith-Event-Id:  the event's id, the same on every retry, for deduplication
//	X-Goldsmith-Timestamp: Unix time in seconds at which this attempt was signed
//	X-Goldsmith-Signature: sha256=<hex HMAC-SHA256 over timestamp + "." + body, keyed with the secret>
//
// A receiver checks a request with [Verify], which compares in constant time
// and rejects timestamps outside an allowed clock skew (which bounds
// replays), and then deduplicates on the event id.
//
// # Delivery
//
// [Notifier.Send] makes one attempt and classifies its failure:
// a 2xx answer is success; 408, 429, 5xx and network errors are worth
// retrying (with the server's Retry-After, if any); any other answer is
// permanent ([IsPermanent]). [Notifier.Deliver] retries with exponential
// backoff and jitter within a [RetryPolicy]. The server does not hold
// events in memory: it enqueues each one as a job (internal/queue's Notify)
// in the transaction that changes the image's state, and a worker calls
// Send, with the job queue's retries (about seven hours of them), so an
// event survives restarts and crashes. Delivery is at least once:
// deduplicate on the event id.
package notify
