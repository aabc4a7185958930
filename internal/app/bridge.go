package app

import (
	"net/url"

	"github.com/prils-lazio/presidio/internal/translate"
	"github.com/prils-lazio/presidio/locales"
)

// wireBridge gives the desk its operators' texts and, when
// PRESIDIO_TRANSLATE_URL is set, the language bridge, counted on /metrics
// as presidio_translations_total{outcome="ok"|"failed"}. Unset, no
// translation service is ever called.
func (a *App) wireBridge() error {
	deskTexts, err := locales.LoadConsole()
	if err != nil {
		return err
	}
	a.desk.DeskTexts = deskTexts
	a.desk.Log = a.log
	tr := translate.New(a.cfg.TranslateURL, a.cfg.TranslateKey)
	if tr == nil {
		return nil
	}
	tr.Counter = a.Metrics.NewCounterVec("presidio_translations_total",
		"Machine translations of the counsellors' language bridge, by outcome (ok, failed).", "outcome")
	a.desk.Translator = tr
	host := a.cfg.TranslateURL
	if u, err := url.Parse(host); err == nil {
		host = u.Host
	}
	a.log.Info("language bridge on: counsellors' and people's messages are machine-translated", "service", host)
	return nil
}
