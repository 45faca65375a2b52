//! The patient's page of `gaitkit live --serve` ([`crate::serve`]) as the command starts and
//! ends it: the printed URL, the warning for an address open to the network, the summary and
//! `--serve-linger`.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::Context;

use super::live::LiveArgs;
use crate::error::describe_io;
use crate::recording::Placement;
use crate::serve::{is_loopback, PageInfo, PageServer};
use crate::stream::events::LiveSummary;

/// Starts the page server and prints its URL (stdout) and, for an address other than loopback,
/// a warning (stderr); returns the server and the URL line for the dashboard.
pub fn start(
    addr: SocketAddr,
    args: &LiveArgs,
    title: String,
    sensors: Vec<Placement>,
) -> anyhow::Result<(PageServer, String)> {
    let info = PageInfo {
        title,
        targets: args.targets.clone(),
        rolling_steps: args.steps,
        sensors,
    };
    let page = PageServer::start(addr, info).map_err(|e| {
        anyhow::anyhow!(
            "--serve {addr}: cannot listen there: {}; give another address or port \
             (127.0.0.1:0 picks a free port)",
            describe_io(&e)
        )
    })?;
    let bound = page.local_addr();
    if !is_loopback(&bound) {
        eprintln!(
            "warning: --serve {bound}: the patient page is open to the network; anyone on that \
             network can see it (steps, cadence, symmetry); other devices open it at this \
             computer's network address, port {}. Use 127.0.0.1 to keep it on this computer.",
            bound.port()
        );
    }
    let line = format!("Patient page: {}", page.url());
    println!("{line}");
    Ok((page, line))
}

/// Sends the summary, keeps serving until Ctrl-C when `linger`, then ends the pages' streams
/// and stops.
pub fn finish(
    page: PageServer,
    summary: &LiveSummary,
    linger: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    page.summary(summary);
    if linger {
        writeln!(out, "Serving the patient page until Ctrl-C")?;
        out.flush()?;
        page.wait_for_ctrl_c()
            .context("waiting for Ctrl-C to stop the patient page")?;
    }
    page.close();
    Ok(())
}
