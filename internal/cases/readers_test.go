package cases

import (
	"context"
	"slices"
	"testing"
)

func TestOperatorsLanguages(t *testing.T) {
	s, _, _ := newCases(t)
	ctx := context.Background()
	langs, bad := ParseLanguages("AR, fr en ar  klingon")
	if !slices.Equal(langs, []string{"ar", "en", "fr"}) || !slices.Equal(bad, []string{"klingon"}) {
		t.Fatalf("ParseLanguages = %v, bad %v", langs, bad)
	}
	giulia := Operator{ID: "9001", Name: "Giulia"}
	amal := Operator{ID: "console:amal", Name: "amal"}
	if err := s.SetLanguages(ctx, giulia, []string{"en", "fr"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLanguages(ctx, amal, []string{"ar", "en"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLanguages(ctx, amal, []string{"Arabic"}); err == nil {
		t.Fatal("a language name was accepted as a code")
	}
	got, err := s.Readers(ctx, "en")
	if err != nil || len(got) != 2 || got[0].Name != "Giulia" || got[1].Name != "amal" {
		t.Fatalf("Readers(en) = %v, %v", got, err)
	}
	if got, _ := s.Readers(ctx, "ar"); len(got) != 1 || got[0] != amal {
		t.Fatalf("Readers(ar) = %v", got)
	}
	if l, _ := s.Languages(ctx, giulia.ID); !slices.Equal(l, []string{"en", "fr"}) {
		t.Fatalf("Languages = %v", l)
	}
	if err := s.SetLanguages(ctx, giulia, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Readers(ctx, "fr"); len(got) != 0 {
		t.Fatalf("forgotten languages still read: %v", got)
	}
}

func TestBridgeSwitch(t *testing.T) {
	s, _, _ := newCases(t)
	ctx := context.Background()
	c, _, _ := s.Open(ctx, request(21, "permits"))
	if c.BridgeOff {
		t.Fatal("a new case starts with the bridge off")
	}
	if c, _ = s.SetBridge(ctx, c.ID, false); !c.BridgeOff {
		t.Fatal("SetBridge(false) did not switch it off")
	}
	if got, _ := s.Get(ctx, c.ID); !got.BridgeOff {
		t.Fatal("the switch was not stored")
	}
	if _, err := s.SetBridge(ctx, c.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, c.ID); got.BridgeOff {
		t.Fatal("SetBridge(true) did not switch it on again")
	}
}
