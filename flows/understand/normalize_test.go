package understand

import (
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Perché", "perche"},
		{"SANTÉ", "sante"},
		{"carta d’identità", "carta d’identita"}, // punctuation stays: it separates words
		{"Ședere, încă, ç, ñ, ë", "sedere, inca, c, n, e"},
		{"Straße", "strasse"},
		{"ＰＥＲＭＥＳＳＯ １１２", "permesso 112"}, // fullwidth (NFKC)
		{"helppp!!!", "helpp!!!"},
		{"aiutooooo", "aiutoo"},
		{"1111", "1111"},           // digits are not letters: not cut
		{"دُكْتُور", "دکتور"},      // tashkeel; kaf
		{"الإقــــامة", "الاقامه"}, // hamza, tatweel, ta marbuta
		{"آمنة أحمد إسلام", "امنه احمد اسلام"},
		{"مستشفى", "مستشفي"},                     // alef maksura
		{"ڈاکٹر کی", "ڈاکٹر کي"},                 // Urdu yeh
		{"ہسپتال، ہے", "هسپتال، هي"},             // heh goal, yeh barree
		{"١١٢ ۱۵۲۲ ১১২ ੧੧੨", "112 1522 112 112"}, // Arabic, Urdu, Bengali, Gurmukhi digits
		{"ডাক্তার", "ডাক্তার"},                   // Bengali: only composed
		{"ਡਾਕਟਰ", "ਡਾਕਟਰ"},
		{"Ёлка", "елка"},
		{"й ї", "й ї"},         // Cyrillic letters keep their marks
		{"র\u200dযাব", "রযাব"}, // zero-width joiner dropped
		{"居留许可", "居留许可"},
	} {
		if got := normalize(tc.in); got != tc.want {
			t.Errorf("normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTokenize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Come rinnovo il permesso?!", []string{"come", "rinnovo", "il", "permesso"}},
		{"carta d'identità", []string{"carta", "d", "identita"}},
		{"chiama112 subito", []string{"chiama", "112", "subito"}},
		{"livello A2", []string{"livello", "a", "2"}},
		{"我想换居留permesso", []string{"我", "想", "换", "居", "留", "permesso"}},
		{"আমার কাজ দরকার।", []string{"আমার", "কাজ", "দরকার"}}, // vowel signs stay in the word
		{"чоловік бʼє мене", []string{"чоловік", "б", "є", "мене"}},
		{"👍 ... ?", nil},
	} {
		var got []string
		for _, tok := range tokenize(normalize(tc.in)) {
			got = append(got, tok.text)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("tokenize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestArabicVariants(t *testing.T) {
	toks := tokenize(normalize("والإقامة بالعربي لل كتاب"))
	var got []string
	for _, v := range arabicVariants(toks[0]) {
		got = append(got, v.text)
	}
	if !slices.Contains(got, "اقامه") {
		t.Errorf("variants of والإقامة = %q, want اقامه among them", got)
	}
	if v := arabicVariants(toks[2]); len(v) != 0 {
		t.Errorf("variants of لل = %v, want none (nothing left)", v)
	}
	if v := arabicVariants(tokenize("permesso")[0]); v != nil {
		t.Errorf("variants of a Latin word: %v", v)
	}
}
