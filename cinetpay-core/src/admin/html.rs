//! HTML output where every value is escaped: [`Html::text`] escapes what it
//! is given, and markup can only be added as `&'static str` with
//! [`Html::raw`], so that nothing read from the store or the request reaches
//! the page unescaped.

/// Escapes `text` for HTML text and quoted attribute values: `& < > " '`.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// A page being written.
#[derive(Debug, Default)]
pub(crate) struct Html(String);

impl Html {
    /// Markup written by this crate (a literal, never a value).
    pub(crate) fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// A value, escaped (text or the inside of a quoted attribute).
    pub(crate) fn text(&mut self, value: impl std::fmt::Display) -> &mut Self {
        escape_into(&mut self.0, &value.to_string());
        self
    }

    /// A value, or `—` when there is none.
    pub(crate) fn opt(&mut self, value: Option<impl std::fmt::Display>) -> &mut Self {
        match value {
            Some(value) => self.text(value),
            None => self.raw("<span class=\"muted\">—</span>"),
        }
    }

    /// The page.
    pub(crate) fn finish(self) -> String {
        self.0
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;color:#1d2a33}\
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}table{border-collapse:collapse;width:100%}\
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #d6dde3;vertical-align:top}\
th{font-weight:600;white-space:nowrap}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}\
dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:1rem 0}\
label{display:flex;flex-direction:column;font-size:.9rem}label.check{flex-direction:row;gap:.3rem;align-items:center}\
button{background:#0a7c3e;color:#fff;border:0;border-radius:.4rem;padding:.5rem 1rem;font-size:1rem;cursor:pointer}\
.notice{border:1px solid #0a7c3e;border-radius:.4rem;padding:.5rem 1rem;background:#eef8f1}.notice.error{border-color:#b3261e;background:#fcefee}\
.status{font-weight:600}.accepted{color:#0a7c3e}.refused,.cancelled,.needs_attention,.start_failed{color:#b3261e}.muted{color:#5b6b77}\
nav a{margin-right:1rem}.scroll{overflow-x:auto}";

/// The document around `body`, titled `title`.
pub(crate) fn layout(title: &str, body: Html) -> String {
    let mut page = Html::default();
    page.raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .raw("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
        .raw("<meta name=\"robots\" content=\"noindex\"><title>")
        .text(title)
        .raw(" · CinetPay payments</title><style>")
        .raw(STYLE)
        .raw("</style></head><body>");
    page.0.push_str(&body.0);
    page.raw("</body></html>");
    page.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_both_quotes() {
        let mut escaped = String::new();
        escape_into(&mut escaped, "<script>alert(\"x\")</script>&'");
        assert_eq!(
            escaped,
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"
        );
        let mut html = Html::default();
        html.raw("<p title=\"")
            .text("\"><b>")
            .raw("\">")
            .opt(None::<&str>);
        assert_eq!(
            html.finish(),
            "<p title=\"&quot;&gt;&lt;b&gt;\"><span class=\"muted\">—</span>"
        );
    }
}
