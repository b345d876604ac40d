//! GitHub-flavoured Markdown: the tables of the design summary, generated. The guide
//! embeds the same tables.

use super::{Connection, Endpoints};

pub fn markdown(endpoints: &Endpoints) -> String {
    let mut out = String::from("## Endpoints\n\n");
    out.push_str(&endpoint_table(endpoints));
    if endpoints.connections().next().is_some() {
        out.push_str("\n## Connection URIs\n\n");
        out.push_str(&uri_table(endpoints));
    }
    if !endpoints.ips.is_empty() {
        out.push_str("\n## IP allocation\n\n");
        out.push_str(&ip_table(endpoints));
    }
    out
}

/// One row per endpoint; a cluster without any says so.
pub fn endpoint_table(endpoints: &Endpoints) -> String {
    if endpoints.clusters.is_empty() {
        return "No clusters.\n".to_owned();
    }
    let mut out = String::from(
        "| Cluster | Endpoint | Host | IP | Port | Reaches | Allowed sources |\n\
         |---|---|---|---|---:|---|---|\n",
    );
    for cluster in &endpoints.clusters {
        if cluster.connections.is_empty() {
            out.push_str(&format!(
                "| {} | - | no external endpoints | | | | |\n",
                code(&cluster.cluster)
            ));
        }
        for c in &cluster.connections {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                code(&c.cluster),
                c.endpoint.as_str(),
                code(&c.hostname),
                ip(c),
                c.port,
                c.reaches,
                allowed(c),
            ));
        }
    }
    out
}

pub fn uri_table(endpoints: &Endpoints) -> String {
    let mut out = String::from("| Cluster | Endpoint | URI |\n|---|---|---|\n");
    for c in endpoints.connections() {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            code(&c.cluster),
            c.endpoint.as_str(),
            code(&c.uri)
        ));
    }
    out
}

pub fn ip_table(endpoints: &Endpoints) -> String {
    let mut out = String::from("| IP | Ports taken | Next free port |\n|---|---|---:|\n");
    for allocation in &endpoints.ips {
        let taken: Vec<String> = allocation
            .ports
            .iter()
            .map(|p| format!("{} {} ({})", p.port, code(&p.cluster), p.endpoint.as_str()))
            .collect();
        let next = allocation
            .next_free_port
            .map_or_else(|| "none".to_owned(), |p| p.to_string());
        out.push_str(&format!(
            "| {} | {} | {next} |\n",
            code(&allocation.ip),
            taken.join(", ")
        ));
    }
    out
}

fn ip(c: &Connection) -> String {
    match &c.ip {
        Some(ip) => code(ip),
        None => format!("pool-assigned ({})", code(&c.address_pool)),
    }
}

fn allowed(c: &Connection) -> String {
    if c.allowed_sources.is_empty() {
        return "**anyone** (no source range)".to_owned();
    }
    c.allowed_sources
        .iter()
        .map(|r| code(r))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text` as an inline code span inside a table cell, whatever it holds: line breaks
/// become spaces, `|` is escaped (GitHub reads `\|` even in code), and the span is
/// delimited by more backticks than any run inside it.
pub fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::code;

    #[test]
    fn code_spans_hold_any_text_in_one_cell() {
        assert_eq!(code("db.example.org"), "`db.example.org`");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a\nb"), "`a b`");
    }
}
