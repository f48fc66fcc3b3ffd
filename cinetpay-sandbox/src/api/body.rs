//! Reads a request body sent as JSON (documented) or form-urlencoded (what
//! community code sends) into one map of fields.

use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

/// How the body was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Form,
}

impl Format {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Form => "form",
        }
    }
}

/// The fields of a body. Form values are strings; JSON values keep their type.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub(crate) format: Format,
    pub(crate) map: Map<String, Value>,
}

impl Fields {
    /// Parses by content type; without one, a body starting with `{` is JSON.
    pub(crate) fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, String> {
        let mime = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let json = match mime.as_str() {
            "application/json" => true,
            "application/x-www-form-urlencoded" => false,
            "" | "text/plain" => body.trim_ascii_start().starts_with(b"{"),
            other => {
                return Err(format!(
                    "unsupported content type {:?}: send application/json",
                    other.chars().take(64).collect::<String>()
                ));
            }
        };
        if json {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => Ok(Fields {
                    format: Format::Json,
                    map,
                }),
                Ok(_) => Err("the body must be a JSON object".to_owned()),
                Err(e) => Err(format!("the body is not valid JSON: {e}")),
            }
        } else {
            let map = url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect();
            Ok(Fields {
                format: Format::Form,
                map,
            })
        }
    }

    /// A scalar field as text, trimmed; absent, `null` and blank are `None`.
    /// Objects and arrays are kept as their JSON text.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        let text = match self.map.get(name)? {
            Value::Null => return None,
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            other => other.to_string(),
        };
        (!text.is_empty()).then_some(text)
    }

    /// A field as sent (not trimmed): for values echoed back, such as
    /// `metadata` and `description`. Blank is `None`.
    pub(crate) fn raw(&self, name: &str) -> Option<String> {
        match self.map.get(name)? {
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.clone()),
            _ => self.text(name),
        }
    }

    /// The raw JSON value of a field.
    pub(crate) fn value(&self, name: &str) -> Option<&Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }
}
