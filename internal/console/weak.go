package console

import (
	"strings"
	"unicode/utf8"
)

// commonPasswords are passwords long enough to pass the length rule that
// appear at the top of every leaked-password list, plus the obvious local
// ones; compared without case, and also with trailing digits and
// punctuation removed ("Password2024!" is "password").
var commonPasswords = map[string]bool{
	"password": true, "passw0rd": true, "qwertyuiop": true, "qwertyuiopasdfghjkl": true,
	"asdfghjkl": true, "zxcvbnm": true, "iloveyou": true, "letmein": true, "welcome": true,
	"admin": true, "administrator": true, "changeme": true, "trustno1": true, "football": true,
	"sunshine": true, "princess": true, "dragon": true, "monkey": true, "master": true,
	"superman": true, "baseball": true, "starwars": true, "whatever": true, "qazwsx": true,
	"1q2w3e4r": true, "1q2w3e4r5t": true, "q1w2e3r4": true, "abcdefghij": true, "abcdefgh": true,
	"passwordpassword": true, "presidio": true, "prils": true, "prilslazio": true, "console": true,
	"operatore": true, "operator": true, "coordinatore": true, "coordinator": true, "scuola": true,
	"benvenuto": true, "benvenuti": true, "ciao": true, "ciaociao": true, "amore": true,
	"juventus": true, "napoli": true, "roma": true, "lazio": true, "milan": true, "inter": true,
	"frascati": true, "velletri": true, "albano": true, "ciampino": true, "cpia": true,
}

// weakPassword says why password is too easy to guess for the account
// name, or "" when it is not obviously weak: one character repeated, a
// run of digits or a keyboard row, the account's name in it, or a very
// common password.
func weakPassword(name, password string) string {
	lower := strings.ToLower(password)
	first, _ := utf8.DecodeRuneInString(lower)
	if strings.Trim(lower, string(first)) == "" {
		return "the password must not be one character repeated"
	}
	if strings.Trim(lower, "0123456789") == "" && isRun(lower) {
		return "the password must not be a run of digits"
	}
	if n := strings.ToLower(name); len(n) >= 3 && strings.Contains(lower, n) {
		return "the password must not contain the account name"
	}
	core := strings.TrimRight(lower, "0123456789!?.*_-#@$ ")
	core = strings.TrimLeft(core, "0123456789!?.*_-#@$ ")
	if commonPasswords[lower] || commonPasswords[core] || core == "" || strings.Trim(core, core[:1]) == "" {
		return "the password is one of the most common ones: choose a longer phrase (for example three unrelated words)"
	}
	return ""
}

// isRun reports whether digits go up or down by one each ("1234567890",
// "9876543210").
func isRun(digits string) bool {
	if len(digits) < 2 {
		return false
	}
	step := int(digits[1]) - int(digits[0])
	if step != 1 && step != -1 && !(digits[0] == '9' && digits[1] == '0') {
		return false
	}
	for i := 1; i < len(digits); i++ {
		d := int(digits[i]) - int(digits[i-1])
		if d != step && !(step == 1 && digits[i-1] == '9' && digits[i] == '0') && !(step == -1 && digits[i-1] == '0' && digits[i] == '9') {
			return false
		}
	}
	return true
}
