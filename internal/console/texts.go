package console

import (
	"bytes"
	"maps"
	"slices"
	"text/template"
)

// builtin holds every text id of the console in Italian (the default) and
// English, until they are in the locale files.
var builtin = map[string][2]string{
	"console.app":                      {"Console PRILS", "PRILS console"},
	"console.back":                     {"Indietro", "Back"},
	"console.filter":                   {"Filtra", "Filter"},
	"console.save":                     {"Salva", "Save"},
	"console.nav.cases":                {"Casi", "Cases"},
	"console.nav.directory":            {"Servizi", "Services"},
	"console.nav.courses":              {"Corsi", "Courses"},
	"console.nav.notes":                {"Segnalazioni", "Referral notes"},
	"console.nav.audit":                {"Registro accessi", "Audit log"},
	"console.nav.logout":               {"Esci ({{.Name}})", "Log out ({{.Name}})"},
	"console.error.title":              {"Errore", "Error"},
	"console.error.generic":            {"Si è verificato un errore. Riprova tra poco.", "Something went wrong. Please try again shortly."},
	"console.error.forbidden":          {"Non hai accesso a questa pagina o il modulo è scaduto: ricarica la pagina.", "You cannot open this page, or the form expired: reload the page."},
	"console.error.not_found":          {"Pagina non trovata.", "Page not found."},
	"console.error.too_many":           {"Troppi tentativi di accesso. Riprova tra 15 minuti.", "Too many login attempts. Try again in 15 minutes."},
	"console.login.title":              {"Accesso", "Log in"},
	"console.login.name":               {"Nome utente", "User name"},
	"console.login.password":           {"Password", "Password"},
	"console.login.submit":             {"Entra", "Log in"},
	"console.login.wrong":              {"Nome utente o password errati.", "Wrong user name or password."},
	"console.cases.title":              {"Casi", "Cases"},
	"console.cases.status":             {"Stato", "Status"},
	"console.cases.language":           {"Lingua", "Language"},
	"console.cases.topic":              {"Argomento", "Topic"},
	"console.cases.help_point":         {"Punto di aiuto", "Help point"},
	"console.cases.urgency":            {"Urgenza", "Urgency"},
	"console.cases.any":                {"Tutti", "Any"},
	"console.cases.urgent":             {"Urgente", "Urgent"},
	"console.cases.not_urgent":         {"Non urgente", "Not urgent"},
	"console.cases.id":                 {"Caso", "Case"},
	"console.cases.created":            {"Aperto il", "Opened"},
	"console.cases.assignee":           {"Operatore", "Operator"},
	"console.cases.none":               {"Nessun caso.", "No cases."},
	"console.status.open":              {"Aperti", "Open"},
	"console.status.all":               {"Tutti", "All"},
	"console.status.new":               {"Nuovo", "New"},
	"console.status.taken":             {"Preso in carico", "Taken"},
	"console.status.waiting":           {"In attesa della persona", "Waiting for the person"},
	"console.status.referred":          {"Inviato a un servizio", "Referred"},
	"console.status.closed":            {"Chiuso", "Closed"},
	"console.case.title":               {"Caso", "Case"},
	"console.case.person":              {"Persona", "Person"},
	"console.case.summary":             {"Richiesta", "Request"},
	"console.case.outcome":             {"Esito", "Outcome"},
	"console.case.referrals":           {"Invii ai servizi", "Referrals"},
	"console.case.transcript":          {"Conversazione", "Conversation"},
	"console.case.no_messages":         {"Nessun messaggio.", "No messages."},
	"console.case.dir.in":              {"Persona", "Person"},
	"console.case.dir.out":             {"Risposta", "Reply"},
	"console.case.dir.note":            {"Nota interna", "Internal note"},
	"console.case.dir.system":          {"Sistema", "System"},
	"console.case.media":               {"allegato {{.Type}}", "attachment {{.Type}}"},
	"console.case.reply":               {"Rispondi alla persona", "Reply to the person"},
	"console.case.send":                {"Invia", "Send"},
	"console.case.note":                {"Nota interna (la persona non la vede)", "Internal note (the person does not see it)"},
	"console.case.add_note":            {"Aggiungi nota", "Add note"},
	"console.case.actions":             {"Azioni", "Actions"},
	"console.case.take":                {"Prendi in carico", "Take the case"},
	"console.case.refer":               {"Invia al servizio", "Refer to the service"},
	"console.case.refer_note":          {"Nota per i colleghi", "Note for colleagues"},
	"console.case.refer_unknown":       {"Servizio sconosciuto.", "Unknown service."},
	"console.case.close":               {"Chiudi il caso", "Close the case"},
	"console.case.taken_by":            {"Il caso è già in carico a {{.Operator}}.", "{{.Operator}} has taken the case already."},
	"console.case.reply_length":        {"Scrivi una risposta (al massimo 4096 caratteri).", "Write a reply (at most 4096 characters)."},
	"console.case.error_closed":        {"Il caso è chiuso.", "The case is closed."},
	"console.case.error_erased":        {"I dati del caso sono stati cancellati.", "The case's data was erased."},
	"console.case.error_busy":          {"Il caso è in modifica da un'altra parte: riprova.", "The case is being changed elsewhere: try again."},
	"console.case.error_invalid":       {"Testo non valido (troppo lungo?).", "Invalid text (too long?)."},
	"console.done.reply":               {"Risposta inviata.", "Reply sent."},
	"console.done.note":                {"Nota aggiunta.", "Note added."},
	"console.done.take":                {"Caso preso in carico.", "Case taken."},
	"console.done.close":               {"Caso chiuso.", "Case closed."},
	"console.done.refer":               {"Invio registrato.", "Referral recorded."},
	"console.done.saved":               {"Servizio salvato.", "Service saved."},
	"console.done.retired":             {"Servizio ritirato.", "Service retired."},
	"console.directory.title":          {"Servizi del territorio", "Local services"},
	"console.directory.search":         {"Cerca", "Search"},
	"console.directory.all_categories": {"Tutte le categorie", "All categories"},
	"console.directory.show_retired":   {"Mostra ritirati", "Show retired"},
	"console.directory.new":            {"Nuovo servizio", "New service"},
	"console.directory.export":         {"Esporta CSV", "Export CSV"},
	"console.directory.import":         {"Importa CSV (tutto o niente):", "Import CSV (all or nothing):"},
	"console.directory.import_button":  {"Importa", "Import"},
	"console.directory.name":           {"Nome", "Name"},
	"console.directory.category":       {"Categoria", "Category"},
	"console.directory.municipality":   {"Comune", "Municipality"},
	"console.directory.contacts":       {"Contatti e orari", "Contacts and hours"},
	"console.directory.retired":        {"ritirato", "retired"},
	"console.directory.sample":         {"dato di esempio", "sample data"},
	"console.directory.edit":           {"Modifica", "Edit"},
	"console.directory.retire":         {"Ritira", "Retire"},
	"console.directory.none":           {"Nessun servizio.", "No services."},
	"console.service.title":            {"Servizio", "Service"},
	"console.service.provider":         {"Gestore", "Provider"},
	"console.service.address":          {"Indirizzo", "Address"},
	"console.service.coordinates":      {"Latitudine e longitudine", "Latitude and longitude"},
	"console.service.phone":            {"Telefono", "Phone"},
	"console.service.website":          {"Sito web", "Website"},
	"console.service.hours":            {"Orari", "Opening hours"},
	"console.service.languages":        {"Lingue parlate (codici)", "Languages spoken (codes)"},
	"console.service.who_can_use":      {"Chi può accedere", "Who can use it"},
	"console.service.description_it":   {"Descrizione (italiano, obbligatoria)", "Description (Italian, required)"},
	"console.service.description_en":   {"Descrizione (inglese)", "Description (English)"},
	"console.service.id_taken":         {"Esiste già un servizio con questo ID.", "A service with this ID exists already."},
	"console.service.bad_coordinates":  {"Coordinate non valide: usa numeri con il punto (41.80, 12.68).", "Invalid coordinates: use numbers with a dot (41.80, 12.68)."},
	"console.import.title":             {"Importazione servizi", "Service import"},
	"console.import.no_file":           {"Scegli un file CSV.", "Choose a CSV file."},
	"console.import.refused":           {"File rifiutato, nulla è stato importato. Correggi queste righe:", "File refused, nothing was imported. Fix these lines:"},
	"console.import.done":              {"Importati: {{.New}} nuovi, {{.Updated}} aggiornati, {{.Unchanged}} invariati.", "Imported: {{.New}} new, {{.Updated}} updated, {{.Unchanged}} unchanged."},
	"console.courses.title":            {"Corsi di italiano", "Italian courses"},
	"console.courses.course":           {"Corso", "Course"},
	"console.courses.site":             {"Sede", "Site"},
	"console.courses.dates":            {"Date", "Dates"},
	"console.courses.seats":            {"Posti", "Seats"},
	"console.courses.enrolled":         {"Iscritti", "Enrolled"},
	"console.courses.waiting":          {"In lista d'attesa", "Waiting"},
	"console.courses.none":             {"Nessun corso.", "No courses."},
	"console.courses.counts":           {"Iscritti {{.Enrolled}} su {{.Seats}} posti, {{.Waiting}} in attesa", "{{.Enrolled}} enrolled of {{.Seats}} seats, {{.Waiting}} waiting"},
	"console.courses.export":           {"Scarica il registro (CSV)", "Download the register (CSV)"},
	"console.courses.seat":             {"Posto", "Seat"},
	"console.courses.name":             {"Nome", "Name"},
	"console.courses.phone":            {"Telefono", "Phone"},
	"console.courses.enrolled_at":      {"Iscritto il", "Enrolled on"},
	"console.courses.no_enrolments":    {"Nessun iscritto.", "Nobody enrolled."},
	"console.course.title":             {"Iscrizioni", "Enrolments"},
	"console.notes.title":              {"Segnalazioni ai punti di aiuto", "Referral notes to help points"},
	"console.notes.help_point":         {"Punto di aiuto", "Help point"},
	"console.notes.text":               {"Segnalazione", "Note"},
	"console.notes.send":               {"Invia la segnalazione", "Send the note"},
	"console.notes.sent":               {"Segnalazione inviata.", "Note sent."},
	"console.notes.when":               {"Quando", "When"},
	"console.notes.from":               {"Da", "From"},
	"console.notes.invalid":            {"Scegli il punto di aiuto e scrivi la segnalazione.", "Choose the help point and write the note."},
	"console.audit.title":              {"Registro accessi ai dati personali", "Personal data access log"},
	"console.audit.when":               {"Quando", "When"},
	"console.audit.who":                {"Chi", "Who"},
	"console.audit.what":               {"Cosa", "What"},
	"console.audit.on":                 {"Caso / corso", "Case / course"},
	"console.audit.addr":               {"Indirizzo", "Address"},
	"console.audit.none":               {"Nessuna voce.", "No entries."},
}

type builtinTexts struct{}

// DefaultTexts returns the console's own Italian and English texts (any
// other language gets Italian); a missing id reads "[id]", as in locales.
func DefaultTexts() Texts { return builtinTexts{} }

// TextIDs returns every text id the console uses, sorted.
func TextIDs() []string { return slices.Sorted(maps.Keys(builtin)) }

func (builtinTexts) Text(lang, id string, data map[string]any) string {
	t, ok := builtin[id]
	if !ok {
		return "[" + id + "]"
	}
	s := t[0]
	if lang == "en" || (len(lang) > 3 && lang[:3] == "en-") {
		s = t[1]
	}
	if data == nil {
		return s
	}
	tpl, err := template.New("").Option("missingkey=zero").Parse(s)
	if err != nil {
		return s
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, data); err != nil {
		return s
	}
	return b.String()
}
