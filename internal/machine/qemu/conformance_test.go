package qemu

import (
	"context"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/machine/machinetest"
	"github.com/goldsmith-dev/goldsmith/internal/vmtest"
)

// TestConformance runs the machine conformance suite on QEMU VMs booting
// the debian-12 base (built into the default cache when missing) with the
// real guest agent, under TCG: a few minutes.
func TestConformance(t *testing.T) {
	vmtest.Require(t)
	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Minute)
	defer cancel()
	machinetest.Run(t, machinetest.Setup{
		Launcher: Launcher{Accel: AccelTCG},
		Disk:     debian12(ctx, t),
		Agent:    vmtest.AgentBinary(t),
	})
}
