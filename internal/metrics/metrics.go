// Package metrics is Goldsmith's Prometheus instrumentation, served on
// /metrics by `goldsmith serve`: image state changes, image builds by
// state, build and build-step durations, queue depth and build workers.
// Counts that live in the database (images by state, queued jobs) are read
// at scrape time, so every server of a shared database reports the same.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Sources are what the scrape-time gauges read.
type Sources struct {
	// ImagesByState counts image build versions per state.
	ImagesByState func(ctx context.Context) (map[string]int, error)
	// Queue returns jobs waiting and running.
	Queue func(ctx context.Context) (available, running int64, err error)
	// Workers returns this process's build slots and busy slots.
	Workers func() (slots, busy int)
	Log     *slog.Logger
}

// Metrics is a registry with Goldsmith's metrics.
type Metrics struct {
	reg         *prometheus.Registry
	transitions *prometheus.CounterVec
	builds      *prometheus.HistogramVec
	steps       *prometheus.HistogramVec
	gauges      *gauges
}

// New registers the metrics (and Go runtime and process metrics).
func New(src Sources) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "goldsmith_image_state_changes_total", Help: "Image state changes, by the state entered.",
		}, []string{"status"}),
		builds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "goldsmith_build_duration_seconds", Help: "Image builds from start to the final state, by outcome.",
			Buckets: prometheus.ExponentialBuckets(15, 2, 10), // 15 s to about 2 h
		}, []string{"status"}),
		steps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "goldsmith_build_step_duration_seconds", Help: "Build steps, by kind (build, validate, test, boot, capture, ...) and outcome.",
			Buckets: prometheus.ExponentialBuckets(0.1, 2.5, 12), // 0.1 s to about 1.5 h
		}, []string{"kind", "status"}),
	}
	m.gauges = &gauges{src: src}
	m.reg.MustRegister(m.transitions, m.builds, m.steps, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), m.gauges)
	return m
}

// SetImageCounter sets the source of the images-by-state gauge (the
// service is made after the metrics it reports to).
func (m *Metrics) SetImageCounter(f func(ctx context.Context) (map[string]int, error)) {
	m.gauges.src.ImagesByState = f
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ImageState counts an image entering a state.
func (m *Metrics) ImageState(status string) {
	if m != nil {
		m.transitions.WithLabelValues(status).Inc()
	}
}

// BuildFinished records a finished build.
func (m *Metrics) BuildFinished(status string, d time.Duration) {
	if m != nil {
		m.builds.WithLabelValues(status).Observe(d.Seconds())
	}
}

// StepFinished records a build step (e.g. build:nginx, wait-build-agent).
func (m *Metrics) StepFinished(step, status string, d time.Duration) {
	if m != nil {
		m.steps.WithLabelValues(StepKind(step), status).Observe(d.Seconds())
	}
}

// StepKind groups build steps into few label values: the phase of
// component steps, otherwise the step's name.
func StepKind(step string) string {
	if kind, _, ok := strings.Cut(step, ":"); ok {
		return kind // build, validate, test, cache
	}
	return step
}

// gauges reads the database-backed gauges at scrape time.
type gauges struct{ src Sources }

var (
	imagesDesc  = prometheus.NewDesc("goldsmith_images", "Image build versions, by state.", []string{"status"}, nil)
	queueDesc   = prometheus.NewDesc("goldsmith_queue_jobs", "Build jobs in the queue, by state (available: waiting for a worker).", []string{"state"}, nil)
	workersDesc = prometheus.NewDesc("goldsmith_build_workers", "Build slots of this process's workers, and how many are busy.", []string{"state"}, nil)
)

func (g *gauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- imagesDesc
	ch <- queueDesc
	ch <- workersDesc
}

func (g *gauges) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if f := g.src.ImagesByState; f != nil {
		counts, err := f(ctx)
		if err != nil {
			g.warn("images by state", err)
		}
		for st, n := range counts {
			ch <- prometheus.MustNewConstMetric(imagesDesc, prometheus.GaugeValue, float64(n), st)
		}
	}
	if f := g.src.Queue; f != nil {
		avail, running, err := f(ctx)
		if err != nil {
			g.warn("queue depth", err)
		} else {
			ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(avail), "available")
			ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(running), "running")
		}
	}
	if f := g.src.Workers; f != nil {
		slots, busy := f()
		ch <- prometheus.MustNewConstMetric(workersDesc, prometheus.GaugeValue, float64(slots), "slots")
		ch <- prometheus.MustNewConstMetric(workersDesc, prometheus.GaugeValue, float64(busy), "busy")
	}
}

func (g *gauges) warn(what string, err error) {
	if g.src.Log != nil {
		g.src.Log.Warn("metrics: could not read "+what, "err", err)
	}
}
