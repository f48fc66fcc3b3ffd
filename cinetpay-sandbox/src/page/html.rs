//! HTML building blocks: escaping, the page frame and its style, amounts.

/// Escapes text for HTML content and attribute values.
///
/// Everything that comes from the merchant goes through this.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `1 000 XOF` in French (narrow no-break space), `1,000 XOF` in English.
pub(crate) fn amount(value: i64, currency: &str, lang: &str) -> String {
    let separator = if lang == "en" { "," } else { "\u{202f}" };
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push_str(separator);
        }
        grouped.push(d);
    }
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{grouped}\u{a0}{}", escape(currency))
}

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f2f4f7;color:#1d2433;line-height:1.45}
main{max-width:440px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:14px;box-shadow:0 2px 10px rgba(16,24,40,.08);padding:20px;margin-bottom:14px}
.badge{display:inline-block;background:#fff4e5;color:#9a5b00;border-radius:999px;padding:2px 10px;font-size:12px;font-weight:600;letter-spacing:.04em}
h1{font-size:20px;margin:10px 0 2px}
.muted{color:#667085;font-size:14px;margin:0}
.amount{font-size:32px;font-weight:700;margin:6px 0;color:#0b7a3b}
.label{font-size:13px;color:#667085;text-transform:uppercase;letter-spacing:.05em;margin:0}
.desc{margin:4px 0 0;word-wrap:break-word}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:12px 0 0;font-size:14px}
dt{color:#667085}dd{margin:0;word-break:break-all}
fieldset{border:0;padding:0;margin:0 0 14px}
legend{font-weight:600;margin-bottom:8px}
.op{display:flex;align-items:center;gap:10px;border:1px solid #d0d5dd;border-radius:10px;padding:12px;margin-bottom:8px;cursor:pointer}
.op:has(input:checked){border-color:#0b7a3b;background:#f0faf4}
.op code{margin-left:auto;color:#667085;font-size:12px}
label.field{display:block;font-weight:600;margin-bottom:14px}
label.field input{display:block;width:100%;margin-top:6px;padding:11px;border:1px solid #d0d5dd;border-radius:10px;font-size:16px}
button{width:100%;border:0;border-radius:10px;padding:13px;font-size:16px;font-weight:600;cursor:pointer}
.primary{background:#0b7a3b;color:#fff}
.secondary{display:grid;grid-template-columns:1fr 1fr 1fr;gap:8px;margin-top:10px}
.secondary button{background:#eef0f4;color:#1d2433;font-size:13px;padding:10px 6px}
.secondary button.danger{color:#b42318}
.error{background:#fef3f2;color:#b42318;border-radius:10px;padding:10px;margin-bottom:12px}
.status{font-size:22px;font-weight:700;margin:8px 0}
.status.accepted{color:#0b7a3b}.status.refused,.status.cancelled{color:#b42318}.status.waiting{color:#9a5b00}
footer{text-align:center;font-size:12px;color:#667085}
a{color:#0b7a3b}
@media (max-width:360px){.secondary{grid-template-columns:1fr}}
"#;

/// A complete page: `lang`, title, body and an optional inline script.
pub(crate) fn page(lang: &str, title: &str, body: &str, script: Option<&str>) -> String {
    page_with(lang, title, body, script, None)
}

/// A complete page with a `<meta http-equiv="refresh">`: `(seconds, url)`,
/// the page itself when `url` is `None`.
pub(crate) fn page_with(
    lang: &str,
    title: &str,
    body: &str,
    script: Option<&str>,
    refresh: Option<(u32, Option<&str>)>,
) -> String {
    let script = script
        .map(|s| format!("<script>{s}</script>"))
        .unwrap_or_default();
    let refresh = match refresh {
        Some((seconds, Some(url))) => format!(
            "<meta http-equiv=\"refresh\" content=\"{seconds};url={}\">",
            escape(url)
        ),
        Some((seconds, None)) => format!("<meta http-equiv=\"refresh\" content=\"{seconds}\">"),
        None => String::new(),
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"robots\" content=\"noindex\">{refresh}\
<title>{title} · CinetPay sandbox</title><style>{STYLE}</style></head>\
<body><main>{body}</main>{script}</body></html>\n",
        lang = escape(lang),
        title = escape(title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn groups_thousands_by_language() {
        assert_eq!(amount(1_250_000, "XOF", "en"), "1,250,000\u{a0}XOF");
        assert_eq!(amount(1000, "XOF", "fr"), "1\u{202f}000\u{a0}XOF");
        assert_eq!(amount(100, "USD", "en"), "100\u{a0}USD");
    }
}
