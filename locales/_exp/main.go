package main

import (
	"fmt"

	"golang.org/x/text/language"
)

func main() {
	sup := []string{"it", "en", "fr", "es", "ar", "uk", "ru", "ro", "sq", "bn", "ur", "pa", "zh", "fil"}
	var tags []language.Tag
	for _, s := range sup {
		tags = append(tags, language.MustParse(s))
	}
	m := language.NewMatcher(tags)
	for _, in := range []string{"en", "en-US", "en-GB", "pt-BR", "pt", "uk", "zh-hans", "zh-Hant-TW", "zh-Hant", "zh-TW", "zh-HK", "zh-SG", "zh-CN", "zh", "ar-EG", "ar", "tl", "fil", "fil-PH", "sq-AL", "sq", "pa-Guru", "pa-Arab", "pa-PK", "pa", "bn-IN", "bn", "ur-PK", "ur-IN", "ur", "prs", "fa", "fa-AF", "uz-Cyrl", "uz", "ps", "hi", "ca", "gl", "mo", "ro-MD", "be", "kk", "sr", "hr", "bs", "it-CH", "fr-CA", "es-419", "es-AR", "de", "ku", "ckb", "ti", "am", "wo", "so", "tg", "ky", "nb", "no", "sw", "ms", "id", "lb", "rm", "sc", "vec", "lld", "scn", "nap", "oc", "co", "en-u-rg-gbzzzz", "x-foo", "und", "zz", "zzz", "en_US", "EN", "mul", "art", "sh", "iw", "in", "ji"} {
		t, err := language.Parse(in)
		if err != nil {
			fmt.Printf("%-12s parse err %v\n", in, err)
			continue
		}
		got, i, c := m.Match(t)
		fmt.Printf("%-12s -> %-4s (%v) conf=%v  parsed=%v\n", in, sup[i], got, c, t)
	}
}
