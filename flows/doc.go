// Package flows decides what Presidio answers in private chats.
//
// Flows are data: YAML files in flows/data (embedded; PRESIDIO_FLOWS_DIR
// reads them from a folder to try edits without rebuilding) whose nodes say
// things, ask with buttons or questions, branch on answers and call
// registered Go actions. Every text is a locale id (locales/). The Engine is
// pure (state + input → new state + messages); Bot wraps it as the runtime's
// Handler: commands, deep links, consent, language, free-text
// understanding, and running actions.
package flows
