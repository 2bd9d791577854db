//! The `tumen` command: clap's parse of the command line, then one short function
//! per subcommand, each calling into the library (`build`, `check`, `serve`,
//! `new`, `init`) and printing its one-line summary, or its errors and the line
//! that ends them. Nothing here decides anything about a site but where it is
//! ([`find_site`]).

// As in the library: no unwrap or expect outside tests.
#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc for every allocation: a build makes and drops millions of small
/// strings and values (pages, template values, diffs), and the system allocator
/// spent a fifth of a large build's time in malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use tumen::build::{BuildOptions, build, count};
use tumen::resolve::ResolveOptions;
use tumen::util::date::Date;
use tumen::util::paths::display_path;

/// Static briefing sites from Markdown briefs and YAML datasets.
#[derive(Parser)]
#[command(name = "tumen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into a folder of static files.
    Build {
        #[command(flatten)]
        src: SiteArgs,
        /// Where to write the site; replaced whole, atomically.
        #[arg(long, short, default_value = "output")]
        output: PathBuf,
        /// Publish under this URL instead of site.yaml's base_url
        /// (e.g. https://example.org/briefings/).
        #[arg(long)]
        base_url: Option<String>,
        /// Minify HTML and CSS (output stays deterministic).
        #[arg(long)]
        minify: bool,
        /// Also make a PDF of every brief, whatever site.yaml's `pdf:` says.
        #[arg(long)]
        pdf: bool,
    },
    /// Check the whole site (content, charts, links and anchors) without writing
    /// anything; exit 1 when there is a problem.
    Check {
        #[command(flatten)]
        src: SiteArgs,
        /// Also check external links (needs the network; 15 s timeout each).
        #[arg(long)]
        external: bool,
    },
    /// Build the site, serve it, and rebuild and reload open pages on every change.
    Serve {
        #[command(flatten)]
        src: SiteArgs,
        /// Where to write the site; kept up to date as the sources change.
        #[arg(long, short, default_value = "output")]
        output: PathBuf,
        /// Serve as if published under this URL (a path in it is served under
        /// that path). Default: the server's own address.
        #[arg(long)]
        base_url: Option<String>,
        /// The port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// The address to listen on. Anything but loopback lets other machines in.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Also make a PDF of every brief, whatever site.yaml's `pdf:` says.
        #[arg(long)]
        pdf: bool,
    },
    /// Start a new site, with an example of everything, in an empty or new folder.
    Init {
        /// The folder of the new site: created if missing, refused unless empty.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Create content.
    New {
        #[command(subcommand)]
        what: NewCommand,
    },
}

/// Which site, and whether its drafts are in it: the same for build, check and serve.
#[derive(clap::Args)]
struct SiteArgs {
    /// The site folder (the one holding site.yaml). Default: the current folder
    /// when it holds site.yaml, else content/.
    #[arg(long)]
    site: Option<PathBuf>,
    /// Include briefs marked `draft: true`.
    #[arg(long)]
    drafts: bool,
}

#[derive(Subcommand)]
enum NewCommand {
    /// Write a new brief with filled-in front matter (as a draft).
    Brief {
        /// The brief's title; its file name is made from it.
        title: String,
        /// The site folder (the one holding site.yaml). Default: the current
        /// folder when it holds site.yaml, else content/.
        #[arg(long)]
        site: Option<PathBuf>,
    },
    /// Describe a CSV file or a spreadsheet as a dataset: writes the YAML beside
    /// it, with the columns' types inferred from the cells.
    Dataset {
        /// The .csv, .xlsx, .xls or .ods file, in the site's data folder.
        file: PathBuf,
        /// A spreadsheet's sheet (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        /// A spreadsheet's cells, such as A3:D40, the header in the first row
        /// (default: every cell that holds something).
        #[arg(long)]
        range: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tumen::util::panic::install_hook();
    // A panic has been reported by the hook as an internal error (see
    // `util::panic`); nothing was written after it.
    std::panic::catch_unwind(|| run(cli)).unwrap_or(ExitCode::from(2))
}

/// The subcommand asked for.
fn run(cli: Cli) -> ExitCode {
    if std::env::var_os("TUMEN_TEST_PANIC").is_some() {
        // How the tests check the report of a panic; never set otherwise.
        let _on = tumen::util::panic::working_on("the test of internal errors");
        panic!("a panic asked for by TUMEN_TEST_PANIC");
    }
    match cli.command {
        Command::Build {
            src,
            output,
            base_url,
            minify,
            pdf,
        } => run_build(src, output, base_url, minify, pdf),
        Command::Check { src, external } => run_check(src, external),
        Command::Serve {
            src,
            output,
            base_url,
            port,
            bind,
            open,
            pdf,
        } => run_serve(tumen::serve::ServeOptions {
            site_dir: find_site(src.site),
            output_dir: output,
            base_url,
            drafts: src.drafts,
            bind,
            port,
            open,
            pdf,
        }),
        Command::Init { dir } => run_init(&dir),
        Command::New {
            what: NewCommand::Brief { title, site },
        } => run_new_brief(&find_site(site), &title),
        Command::New {
            what: NewCommand::Dataset { file, sheet, range },
        } => run_new_dataset(&file, sheet, range),
    }
}

/// The site folder, found as Zola and Hugo find theirs: the one named by `--site`;
/// else the current folder when it holds `site.yaml`; else `content/` below it (the
/// layout of a repository that keeps its site beside code, like this one).
fn find_site(arg: Option<PathBuf>) -> PathBuf {
    arg.unwrap_or_else(|| {
        if Path::new("site.yaml").is_file() {
            PathBuf::from(".")
        } else {
            PathBuf::from("content")
        }
    })
}

fn build_options(src: SiteArgs, output: PathBuf, base_url: Option<String>) -> BuildOptions {
    BuildOptions {
        site_dir: find_site(src.site),
        output_dir: output,
        resolve: ResolveOptions {
            drafts: src.drafts,
            base_url,
            keep_broken_links: false,
            pdf: false,
            digests: false,
        },
        progress: true,
        minify: false,
    }
}

/// Print the errors and the line that ends them: "error: {what} N {noun}s{after}".
fn fail(errors: &tumen::util::diag::Diagnostics, what: &str, noun: &str, after: &str) -> ExitCode {
    eprint!("{errors}");
    eprintln!("error: {what} {}{after}", count(errors.len(), noun));
    ExitCode::FAILURE
}

fn run_build(
    src: SiteArgs,
    output: PathBuf,
    base_url: Option<String>,
    minify: bool,
    pdf: bool,
) -> ExitCode {
    let mut opts = BuildOptions {
        minify,
        ..build_options(src, output.clone(), base_url)
    };
    opts.resolve.pdf = pdf;
    if let Err(e) = tumen::write::stop_cleanly_on_interrupt(&output) {
        eprintln!(
            "warning: cannot watch for Ctrl-C ({e}); an interrupted build may leave a staging folder for the next one to remove"
        );
    }
    match build(&opts) {
        Ok(report) => {
            eprint!("{}", report.warnings);
            println!("{}", report.summary());
            ExitCode::SUCCESS
        }
        Err(errors) => {
            let kept = format!("; {} was left as it was", display_path(&output).display());
            fail(&errors, "build failed with", "error", &kept)
        }
    }
}

fn run_check(src: SiteArgs, external: bool) -> ExitCode {
    let mut opts = build_options(src, PathBuf::from("output"), None);
    opts.resolve.keep_broken_links = true;
    match tumen::check::check(&opts, external) {
        Ok(r) => {
            println!("{}", r.summary());
            ExitCode::SUCCESS
        }
        Err(errors) => fail(&errors, "check found", "problem", ""),
    }
}

fn run_serve(opts: tumen::serve::ServeOptions) -> ExitCode {
    match tumen::serve::serve(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.starts_with("error: ") => {
            eprint!("{e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_new_brief(site: &Path, title: &str) -> ExitCode {
    match tumen::new::new_brief(site, title, Date::today()) {
        Ok(path) => {
            let shown = display_path(&path);
            let serve = if site == Path::new(".") {
                "tumen serve --drafts".to_string()
            } else {
                format!("tumen serve --drafts --site {}", site.display())
            };
            println!(
                "Created {}\nIt is a draft: `{serve}` shows it; remove the line `draft: true` from its front matter to publish it.",
                shown.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn run_new_dataset(file: &Path, sheet: Option<String>, range: Option<String>) -> ExitCode {
    match tumen::new::dataset::new_dataset(file, sheet, range) {
        Ok(made) => {
            println!(
                "Created {} from {} ({} rows). The columns, as inferred from their cells:",
                display_path(&made.yaml).display(),
                display_path(file).display(),
                made.rows
            );
            for g in &made.columns {
                println!("  {}", describe_guess(g));
            }
            println!(
                "Fill in its title, unit and sources (the lines marked TODO), check the types, then `tumen serve` shows it at data/{}/.",
                made.yaml
                    .file_stem()
                    .map(|s| s.to_string_lossy())
                    .unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// One inferred column, as `tumen new dataset` lists it.
fn describe_guess(g: &tumen::new::dataset::Guess) -> String {
    let c = &g.column;
    let kind = format!("{:?}", c.kind).to_lowercase();
    let mut notes = Vec::new();
    if c.label.is_some() {
        notes.push(format!("heading \"{}\"", g.header));
    }
    if c.decimal.is_some() {
        notes.push("decimal comma".to_string());
    }
    if c.unit.as_deref() == Some("%") {
        notes.push("percentages".to_string());
    }
    if g.empty > 0 {
        notes.push(format!("{} empty cells", g.empty));
    }
    if !c.missing.is_empty() {
        notes.push(format!("missing: {}", c.missing.join(" ")));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    };
    format!("{:<20} {kind}{notes}", c.name)
}

fn run_init(dir: &Path) -> ExitCode {
    match tumen::init::init(dir) {
        Ok(files) => {
            let place = if dir == Path::new(".") {
                "the current folder".to_string()
            } else {
                display_path(dir).display().to_string()
            };
            println!("Created a new site in {place}:");
            for f in &files {
                let rel = f.strip_prefix(dir).unwrap_or(f);
                println!("  {}", rel.display());
            }
            println!("\n{}", init_next_steps(dir));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// What to do after `tumen init`: preview, write, make the example one's own,
/// publish.
fn init_next_steps(dir: &Path) -> String {
    let cd = if dir == Path::new(".") {
        String::new()
    } else {
        format!("  cd {}\n", display_path(dir).display())
    };
    format!(
        "Next:\n{cd}  tumen serve                 preview it on http://127.0.0.1:1111/, rebuilt at each save\n  \
         tumen new brief \"A title\"   start a brief of your own (a draft until you publish it)\n\
         The example's figures and sources are placeholders: replace them in {brief}\n\
         and data/, and set the title in site.yaml. .github/workflows/pages.yml publishes\n\
         the site on GitHub Pages (set TUMEN_GIT in it first).",
        brief = tumen::init::BRIEF
    )
}
