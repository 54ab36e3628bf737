package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPipelineWizardInChromium creates a pipeline through the wizard in
// real headless Chromium: the next runs of a cron expression appear as it
// is typed, a new recipe gets two components, a new infrastructure
// configuration, the review shows the AWS CLI requests, and the pipeline
// is in the list afterwards. A screenshot of each step goes to
// docs/console (see startChromium).
func TestPipelineWizardInChromium(t *testing.T) {
	f := setup(t)
	f.seed(t, f.a, "Says hello in the build log", "Debian 12 web server, rebuilt every night")
	ch := startChromium(t)
	ch.signIn(f.url, f.a)
	ch.do("submit", chromedp.Click(`button.primary`), chromedp.WaitVisible(`table`))

	ch.do("open the wizard", chromedp.Click(`//a[text()="Create pipeline"]`), chromedp.WaitVisible(`input[name=name]`))
	if !strings.Contains(ch.text("body"), "1. Pipeline and schedule") {
		t.Fatalf("step 1: %s", ch.text("main"))
	}
	ch.do("step 1", chromedp.SendKeys(`input[name=name]`, "web-weekly"),
		chromedp.SendKeys(`input[name=description]`, evil),
		chromedp.Click(`input[name=scheduleMode][value=cron]`), chromedp.WaitVisible(`#expression`),
		chromedp.SendKeys(`#expression`, "cron(0 3 ? * MON"),
		chromedp.WaitVisible(`//p[@id="schedulestate"][contains(., "cron")]`),
		chromedp.SendKeys(`#expression`, " *)"),
		chromedp.WaitVisible(`//ul[@id="nextruns"]/li[5]`))
	ch.shot("wizard-1-schedule")
	runs := ch.text("#nextruns")
	if strings.Count(runs, "Mon ") != 5 || strings.Count(runs, "03:00 UTC") != 5 {
		t.Errorf("next runs of cron(0 3 ? * MON *): %s", runs)
	}

	ch.do("to step 2", chromedp.Click(`//button[text()="Next"][@class="primary"]`), chromedp.WaitVisible(`input[name=recipeName]`),
		chromedp.SendKeys(`input[name=recipeName]`, "web-weekly"))
	for _, c := range [][2]string{{"update-linux", "aws"}, {"hello", f.a.id}} {
		comp, account := c[0], c[1]
		ch.do("add "+comp, chromedp.SetValue(`select[name=addComponent]`, "arn:aws:imagebuilder:"+region+":"+account+":component/"+comp+"/1.0.0"),
			chromedp.Click(`//button[text()="Add component"]`),
			chromedp.WaitVisible(`//ol[@class="chosen"]/li[contains(., "`+comp+` 1.0.0")]`))
	}
	ch.shot("wizard-2-recipe")
	if chosen := ch.text("ol.chosen"); !strings.Contains(chosen, "update-linux 1.0.0 · build · managed") || !strings.Contains(chosen, "hello 1.0.0 · build · own") {
		t.Errorf("chosen components: %s", chosen)
	}

	ch.do("to step 3", chromedp.Click(`//button[text()="Next"][@class="primary"]`), chromedp.WaitVisible(`input[name=infraName]`),
		chromedp.SendKeys(`input[name=infraName]`, "default"))
	ch.shot("wizard-3-infrastructure")

	ch.do("to step 4", chromedp.Click(`//button[text()="Next"][@class="primary"]`), chromedp.WaitVisible(`pre.commands`))
	ch.shot("wizard-4-review")
	cmds := ch.text("pre.commands")
	for _, want := range []string{"create-image-recipe", "create-infrastructure-configuration", "create-image-pipeline --endpoint-url " + f.url} {
		if !strings.Contains(cmds, want) {
			t.Errorf("review commands lack %q: %s", want, cmds)
		}
	}

	ch.do("create", chromedp.Click(`//button[text()="Create pipeline"]`), chromedp.WaitVisible(`//button[text()="Run now"]`))
	if main := ch.text("main"); !strings.Contains(main, "Pipeline created.") || !strings.Contains(main, "web-weekly") || !strings.Contains(main, evil) {
		t.Errorf("the new pipeline's page: %s", main)
	}
	ch.do("the list", chromedp.Click(`//nav/a[text()="Image pipelines"]`), chromedp.WaitVisible(`//a[text()="web-weekly"]`))
	if main := ch.text("main"); !strings.Contains(main, "web-weekly/1.0.0") || !strings.Contains(main, "nightly") {
		t.Errorf("pipelines list after create: %s", main)
	}
	ch.noDialogs()
}
