package buildjob_test

import (
	"context"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/buildjob"
	"github.com/goldsmith-dev/goldsmith/internal/service"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlite"
)

// TestDeletedImageJobEnds: the queued job of an image that was deleted
// (DeleteImage deletes only finished images, e.g. cancelled ones whose job
// has not run yet) ends without building and without an error, so that it
// is not retried; other failures to read the image are still errors.
func TestDeletedImageJobEnds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: t.TempDir() + "/goldsmith.db"})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(ctx, service.Config{Store: st, Region: "goldsmith-local-1"})
	if err != nil {
		t.Fatal(err)
	}
	image, err := arn.Parse("arn:aws:imagebuilder:goldsmith-local-1:111111111111:image/gone/1.0.0/1")
	if err != nil {
		t.Fatal(err)
	}
	r := &buildjob.Runner{Service: svc, TempDir: t.TempDir()}
	if err := r.Run(ctx, buildjob.Job{Account: image.Account, Image: image, Attempt: 1}); err != nil {
		t.Fatalf("the job of a deleted image: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Run(ctx, buildjob.Job{Account: image.Account, Image: image, Attempt: 1}); err == nil {
		t.Fatal("a store that cannot be read ended the job as if the image were deleted")
	}
}
