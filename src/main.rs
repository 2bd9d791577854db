use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use tumen::build::{BuildOptions, build};
use tumen::date::Date;
use tumen::load::yaml::display_path;
use tumen::resolve::ResolveOptions;

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
    /// The site folder (the one holding site.yaml).
    #[arg(long, default_value = "content")]
    site: PathBuf,
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
        /// The site folder (the one holding site.yaml).
        #[arg(long, default_value = "content")]
        site: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            src: SiteArgs { site, drafts },
            output,
            base_url,
            minify,
        } => {
            let opts = BuildOptions {
                site_dir: site,
                output_dir: output.clone(),
                resolve: ResolveOptions {
                    drafts,
                    base_url,
                    keep_broken_links: false,
                },
                progress: true,
                minify,
            };
            match build(&opts) {
                Ok(report) => {
                    println!("{}", report.summary());
                    ExitCode::SUCCESS
                }
                Err(errors) => {
                    eprint!("{errors}");
                    let n = errors.len();
                    eprintln!(
                        "error: build failed with {n} error{}; {} was left as it was",
                        if n == 1 { "" } else { "s" },
                        display_path(&output).display()
                    );
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check {
            src: SiteArgs { site, drafts },
            external,
        } => {
            let opts = BuildOptions {
                site_dir: site,
                output_dir: PathBuf::from("output"),
                resolve: ResolveOptions {
                    drafts,
                    base_url: None,
                    keep_broken_links: true,
                },
                progress: true,
                minify: false,
            };
            match tumen::build::check(&opts, external) {
                Ok(r) => {
                    println!(
                        "Checked {} briefs, {} datasets, {} pages in {} ms: no problems",
                        r.briefs,
                        r.datasets,
                        r.pages,
                        r.elapsed.as_millis()
                    );
                    ExitCode::SUCCESS
                }
                Err(errors) => {
                    eprint!("{errors}");
                    let n = errors.len();
                    eprintln!(
                        "error: check found {n} problem{}",
                        if n == 1 { "" } else { "s" }
                    );
                    ExitCode::FAILURE
                }
            }
        }
        Command::Serve {
            src: SiteArgs { site, drafts },
            output,
            base_url,
            port,
            bind,
            open,
        } => match tumen::serve::serve(tumen::serve::ServeOptions {
            site_dir: site,
            output_dir: output,
            base_url,
            drafts,
            bind,
            port,
            open,
        }) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprint!(
                    "{}",
                    if e.starts_with("error: ") {
                        e.clone()
                    } else {
                        format!("error: {e}\n")
                    }
                );
                ExitCode::FAILURE
            }
        },
        Command::New {
            what: NewCommand::Brief { title, site },
        } => match tumen::new::new_brief(&site, &title, Date::today()) {
            Ok(path) => {
                println!(
                    "Created {} (a draft: remove `draft: true` to publish it)",
                    display_path(&path).display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprint!("{e}");
                ExitCode::FAILURE
            }
        },
    }
}
