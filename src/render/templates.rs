//! The theme's templates as a Tera instance, with tumen's template functions
//! (`url`), and what the render needs to know of them: which globals a template
//! reads (what a page records as read, and whether cards can be made once), and
//! errors that name the theme's file rather than the template's name.

use std::collections::BTreeSet;

use tera::{Kwargs, State, Tera, Value};

use crate::load::Theme;
use crate::util::diag::{Diagnostic, Diagnostics};

pub struct Templates {
    pub tera: Tera,
    theme: Theme,
}

/// Turn a Tera error into a diagnostic that names the theme file, not just the
/// template name, so the user can open it.
pub fn template_error(theme: &Theme, name: &str, err: &tera::Error) -> Diagnostic {
    let report = err.to_string();
    let origin = theme
        .templates
        .get(name)
        .map_or(name.to_string(), |t| t.origin.clone());
    // Tera's report already shows `--> name:line:col` and the line; name the file.
    let mut message = format!(
        "template {origin}: {}",
        report
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("error: ")
    );
    let rest: Vec<&str> = report.lines().skip(1).collect();
    if !rest.is_empty() {
        message.push('\n');
        message.push_str(&rest.join("\n"));
    }
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        message.push_str(&format!("\n  caused by: {s}"));
        source = s.source();
    }
    Diagnostic::file(std::path::Path::new(&origin), message)
}

impl Templates {
    pub fn new(theme: &Theme, base_path: &str) -> Result<Templates, Diagnostics> {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml", ".svg"]);
        let base = base_path.to_string();
        // url(path="topics/") → "/sub/topics/": the one way templates make links,
        // so that a site under a subpath works everywhere.
        tera.register_function(
            "url",
            move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
                let path: &str = kwargs.must_get("path")?;
                if path.contains("://") || path.starts_with("mailto:") {
                    return Ok(path.to_string());
                }
                Ok(format!("{base}{}", path.trim_start_matches('/')))
            },
        );
        let sources: Vec<(&str, &str)> = theme
            .templates
            .iter()
            .map(|(n, t)| (n.as_str(), t.text.as_str()))
            .collect();
        if let Err(e) = tera.add_raw_templates(sources) {
            // Tera names the template in its report; find which one to name its file.
            let text = e.to_string();
            let name = theme
                .templates
                .keys()
                .find(|n| text.contains(&format!("--> {n}:")))
                .cloned()
                .unwrap_or_default();
            return Err(template_error(theme, &name, &e).into());
        }
        Ok(Templates {
            tera,
            theme: theme.clone(),
        })
    }

    pub fn set_global(&mut self, key: &'static str, value: Value) {
        self.tera.global_context().insert_value(key, value);
    }

    pub fn render(&self, name: &str, ctx: &tera::Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, ctx)
            .map_err(|e| template_error(&self.theme, name, &e))
    }

    /// The text of the card template (`brief-card.html`), if cards can be made
    /// from it once and pasted into every list: it must read nothing but its brief
    /// `b`, its heading level `hl` and the settings (`site`), which are the same
    /// on every page; a card reading other globals is left to the lists to render.
    pub fn card_template(&self) -> Option<&str> {
        let t = self.theme.templates.get(super::cards::CARD_TEMPLATE)?;
        let globals = self.globals_used(super::cards::CARD_TEMPLATE);
        globals
            .iter()
            .all(|g| ["b", "hl", "site"].contains(&g.as_str()))
            .then_some(t.text.as_str())
    }

    /// The global variables a template (with its parents and includes) reads: how
    /// the dependency record knows whether a page uses `data` or `briefs`.
    pub fn globals_used(&self, name: &str) -> BTreeSet<String> {
        self.tera
            .get_template_variables(name)
            .map(|vars| vars.into_iter().map(str::to_string).collect())
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("templates", &self.theme.templates.keys())
            .finish_non_exhaustive()
    }
}
