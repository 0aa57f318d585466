// A trimmed copy of github.com/external-secrets/external-secrets v0.19.2: its template engine v2 and the few
// declarations that engine imports, so the renderer builds without the operator's ~340 modules. See NOTICE.md.
module github.com/external-secrets/external-secrets

go 1.24
