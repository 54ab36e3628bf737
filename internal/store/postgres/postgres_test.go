package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/pgtest"
	"github.com/goldsmith-dev/goldsmith/internal/store"
	"github.com/goldsmith-dev/goldsmith/internal/store/postgres"
	"github.com/goldsmith-dev/goldsmith/internal/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, storetest.Backend{
		NewLocation: func(t *testing.T) string { return pgtest.URL(t) },
		Open: func(ctx context.Context, loc string, now func() time.Time) (store.Store, error) {
			return postgres.Open(ctx, postgres.Config{URL: loc, Now: now, MaxConns: 8})
		},
	})
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, want string
	}{
		{"no URL", "", "no database URL"},
		{"bad URL", "postgres://%zz", "parse database URL"},
		{"no server", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", "is the server running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := postgres.Open(context.Background(), postgres.Config{URL: tt.url})
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", tt.url)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q) = %v, want it to mention %q", tt.url, err, tt.want)
			}
		})
	}
}
