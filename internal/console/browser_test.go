package console_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/goldsmith-dev/goldsmith/internal/testneed"
)

// chromiumPath is Debian's chromium (scripts/setup-test.sh installs it).
const chromiumPath = "/usr/bin/chromium"

// chrome is a headless Chromium the test drives, and where its
// screenshots go.
type chrome struct {
	t       *testing.T
	ctx     context.Context
	shots   string
	dialogs chan string
}

// startChromium starts Debian's chromium for t. Screenshots go to
// $CONSOLE_SCREENSHOTS (docs/console holds the committed ones; refresh
// them with `CONSOLE_SCREENSHOTS=$PWD/docs/console go test
// ./internal/console -run Chromium`), else to a temporary folder.
func startChromium(t *testing.T) *chrome {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		testneed.Missing(t, "chromium is missing (%v): apt-get install chromium (scripts/setup-test.sh installs it)", err)
	}
	shots := os.Getenv("CONSOLE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.NoSandbox,
		chromedp.Headless, chromedp.DisableGPU, chromedp.WindowSize(1280, 800))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	c := &chrome{t: t, ctx: ctx, shots: shots, dialogs: make(chan string, 4)}
	err := chromedp.Listen(ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			select {
			case c.dialogs <- d.Message:
			default:
			}
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	})
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return c
}

func (c *chrome) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, actions...); err != nil {
		c.t.Fatalf("%s: %v", step, err)
	}
}

func (c *chrome) text(sel string) string {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Text(sel))
	if err != nil {
		c.t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

func (c *chrome) shot(name string) {
	c.t.Helper()
	png, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(c.shots, name+".png"), png, 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// signIn signs in as acc and waits for the pipelines list.
func (c *chrome) signIn(url string, acc account) {
	c.t.Helper()
	c.do("sign in",
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible(`input[name=accessKeyId]`),
		chromedp.SendKeys(`input[name=accessKeyId]`, acc.keyID),
		chromedp.SendKeys(`input[name=secretAccessKey]`, acc.secret))
}

// noDialogs fails the test when a page opened a dialog: script from
// user content ran.
func (c *chrome) noDialogs() {
	c.t.Helper()
	select {
	case msg := <-c.dialogs:
		c.t.Fatalf("a page ran script from user content: dialog %q", msg)
	default:
	}
}

// TestConsoleInChromium drives the console in real headless Chromium:
// sign in, the pipelines list, a pipeline, an image whose steps update
// live, the components, creating a component in the editor. It writes a
// screenshot of each screen (see startChromium).
func TestConsoleInChromium(t *testing.T) {
	f := setup(t)
	s := f.seed(t, f.a, "Says hello in the build log", "Debian 12 web server, rebuilt every night")
	ch := startChromium(t)
	do, text, shot := ch.do, ch.text, ch.shot
	ch.signIn(f.url, f.a)
	shot("signin")
	do("submit", chromedp.Click(`button.primary`), chromedp.WaitVisible(`table`))
	shot("pipelines")
	main := text("main")
	for _, want := range []string{"nightly", "Debian 12 web server", "web/1.0.0", "ENABLED", "BUILDING"} {
		if !strings.Contains(main, want) {
			t.Errorf("pipelines list lacks %q: %s", want, main)
		}
	}

	do("open the pipeline", chromedp.Click(`//a[text()="nightly"]`), chromedp.WaitVisible(`//button[text()="Run now"]`))
	shot("pipeline")
	if main := text("main"); !strings.Contains(main, s.pipeline) || !strings.Contains(main, "web/1.0.0/1") {
		t.Errorf("pipeline page: %s", main)
	}

	do("open the image", chromedp.Click(`//a[text()="web/1.0.0/1"]`), chromedp.WaitVisible(`#steps`))
	if log := text("#log"); !strings.Contains(log, "<script>alert(1)</script> hello") {
		t.Errorf("log shown as %q, want its HTML as text", log)
	}
	// The worker moves on; the page shows it without a reload.
	f.step(t, s.image, "build:hello", "COMPLETED")
	f.step(t, s.image, "test:hello", "RUNNING")
	do("watch the steps update", chromedp.WaitVisible(`//table[@id="steps"]//td[text()="test:hello"]`))
	shot("image")
	if steps := text("#steps"); strings.Count(steps, "COMPLETED") != 2 {
		t.Errorf("steps after the update: %s", steps)
	}

	do("images", chromedp.Click(`//nav/a[text()="Images"]`), chromedp.WaitVisible(`//h1[text()="Images"]`))
	shot("images")
	if main := text("main"); !strings.Contains(main, "web/1.0.0/1") || !strings.Contains(main, "BUILDING") {
		t.Errorf("images list: %s", main)
	}

	do("components", chromedp.Click(`//nav/a[text()="Components"]`), chromedp.WaitVisible(`//a[text()="hello"]`))
	shot("components")
	do("a component", chromedp.Click(`//a[text()="hello"]`), chromedp.WaitVisible(`pre.document`))
	shot("component")
	if doc := text("pre.document"); !strings.Contains(doc, `echo "<b>hello</b>"`) {
		t.Errorf("component document shown as %q", doc)
	}

	// Create a component: a typo is shown at its line and column as the
	// document is typed; fixed, the component is created.
	do("create component", chromedp.Navigate(f.url+"/components/new"), chromedp.WaitVisible(`#document`),
		chromedp.SendKeys(`input[name=name]`, "greet"), chromedp.SendKeys(`input[name=description]`, evil),
		chromedp.Clear(`#document`), chromedp.SendKeys(`#document`, typoDoc),
		chromedp.WaitVisible(`//ol[@id="problems"]/li[contains(., "acton")]`))
	shot("component-editor")
	if got := text("#problems"); !strings.Contains(got, `8:9 phases[0].steps[0].acton: unknown key "acton" (did you mean "action"?)`) {
		t.Errorf("editor problems: %s", got)
	}
	// The problem's place moves the cursor to it; the user fixes the word.
	do("fix the typo", chromedp.Click(`//ol[@id="problems"]//button[text()="8:9"]`),
		chromedp.KeyEvent(strings.Repeat(kb.Delete, len("acton"))+"action"),
		chromedp.WaitVisible(`//p[@id="checkstate"][text()="The document is valid."]`),
		chromedp.Click(`//button[text()="Create component"]`), chromedp.WaitVisible(`pre.document`))
	if main := text("main"); !strings.Contains(main, "Component created.") || !strings.Contains(main, "greet") || !strings.Contains(main, evil) {
		t.Errorf("created component page: %s", main)
	}

	ch.noDialogs()
}
