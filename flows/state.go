package flows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// State is where a person is in the flows, kept in their session. It holds
// no personal data unless a personal question (asked only after consent)
// saved an answer in Vars.
type State struct {
	// Flow and Node are the node waiting for the person's input ("" when
	// nothing is waiting: free text is then understood as a new question).
	Flow string `bson:"flow,omitempty"`
	Node string `bson:"node,omitempty"`
	// Back lists the waiting nodes before this one ("flow:node"), newest
	// last, for the Back button.
	Back []string          `bson:"back,omitempty"`
	Vars map[string]string `bson:"vars,omitempty"`
	// Consent is "yes" or "no" once the person answered the privacy notice.
	Consent string `bson:"consent,omitempty"`
	// Site is the help point the person came from (a site_<id> deep link).
	Site       string    `bson:"site,omitempty"`
	LastActive time.Time `bson:"last_active,omitempty"`
	// PendingConsent is the personal question waiting for consent.
	PendingConsent string `bson:"pending_consent,omitempty"`
	// News is "off" when the person stopped announcements from schools and
	// help points (/settings, or the button under an announcement).
	News string `bson:"news,omitempty"`
	// Next is the topic a deep link asked for, opened once the person has
	// answered the privacy notice.
	Next string `bson:"next,omitempty"`
}

// maxBack bounds the Back history.
const maxBack = 20

// DecodeState reads the flow state kept in a session (tests and the
// console use it).
func DecodeState(raw bson.Raw) State { return decodeState(raw) }

func decodeState(raw bson.Raw) State {
	var st State
	if len(raw) > 0 {
		_ = bson.Unmarshal(raw, &st) // a state from an older version starts over
	}
	return st
}

func encodeState(st State) bson.Raw {
	raw, err := bson.Marshal(st)
	if err != nil {
		return nil
	}
	return raw
}

func (st *State) at() string {
	if st.Node == "" {
		return ""
	}
	return st.Flow + ":" + st.Node
}

func (st *State) push() {
	if at := st.at(); at != "" {
		if n := len(st.Back); n == 0 || st.Back[n-1] != at {
			st.Back = append(st.Back, at)
		}
		if len(st.Back) > maxBack {
			st.Back = st.Back[len(st.Back)-maxBack:]
		}
	}
}

func (st *State) setVar(k, v string) {
	if st.Vars == nil {
		st.Vars = map[string]string{}
	}
	st.Vars[k] = v
}

// Callback data of buttons. Menu choices carry their flow, node and index,
// so a button from an older message still does what it says.
const (
	dataChoice   = "c:"       // c:<flow>:<node>:<i>
	dataNav      = "n:"       // n:back, n:menu, n:restart, n:human, n:continue
	dataConsent  = "consent:" // consent:yes, consent:no
	dataLanguage = "lang:"    // lang:<tag>
	dataAction   = "a:"       // a:<anything>: input for the action waiting now
	serviceData  = "s:"       // s:<service id>: a directory service's details, at any time
	navBack      = "n:back"
	navMenu      = "n:menu"
	navRestart   = "n:restart"
	navHuman     = "n:human"
	navContinue  = "n:continue"
	navLanguage  = "n:language"
	consentYes   = "consent:yes"
	consentNo    = "consent:no"
)

func choiceData(flow, node string, i int) string {
	return fmt.Sprintf("%s%s:%s:%d", dataChoice, flow, node, i)
}

func parseChoice(data string) (flow, node string, i int, ok bool) {
	rest, ok := strings.CutPrefix(data, dataChoice)
	if !ok {
		return "", "", 0, false
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		return "", "", 0, false
	}
	i, err := strconv.Atoi(parts[2])
	return parts[0], parts[1], i, err == nil && i >= 0
}
