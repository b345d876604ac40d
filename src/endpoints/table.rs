//! Aligned columns for a terminal: the endpoints, their URIs, and the ports of each IP.

use super::Endpoints;

pub fn table(endpoints: &Endpoints) -> String {
    let mut out = String::new();
    let mut rows = vec![row(&[
        "CLUSTER",
        "ENDPOINT",
        "HOST",
        "IP",
        "PORT",
        "REACHES",
        "ALLOWED SOURCES",
    ])];
    for cluster in &endpoints.clusters {
        if cluster.connections.is_empty() {
            rows.push(row(&[&cluster.cluster, "-", "(no external endpoints)"]));
        }
        for c in &cluster.connections {
            rows.push(vec![
                c.cluster.clone(),
                c.endpoint.as_str().to_owned(),
                c.hostname.clone(),
                c.ip_text().to_owned(),
                c.port.to_string(),
                c.reaches.clone(),
                c.allowed_text(),
            ]);
        }
    }
    if rows.len() == 1 {
        out.push_str("No clusters.\n");
        return out;
    }
    out.push_str(&columns(&rows));

    let mut uris = vec![row(&["CLUSTER", "ENDPOINT", "URI"])];
    uris.extend(endpoints.connections().map(|c| {
        vec![
            c.cluster.clone(),
            c.endpoint.as_str().to_owned(),
            c.uri.clone(),
        ]
    }));
    if uris.len() > 1 {
        out.push('\n');
        out.push_str(&columns(&uris));
    }

    if !endpoints.ips.is_empty() {
        let mut ports = vec![row(&["IP", "PORT", "CLUSTER", "ENDPOINT"])];
        for ip in &endpoints.ips {
            for used in &ip.ports {
                ports.push(vec![
                    ip.ip.clone(),
                    used.port.to_string(),
                    used.cluster.clone(),
                    used.endpoint.as_str().to_owned(),
                ]);
            }
            match ip.next_free_port {
                Some(port) => {
                    ports.push(vec![ip.ip.clone(), port.to_string(), "(next free)".into()])
                }
                None => ports.push(vec![ip.ip.clone(), "-".into(), "(no free port)".into()]),
            }
        }
        out.push('\n');
        out.push_str(&columns(&ports));
    }
    out
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

/// Pads every column but the last to its widest cell, two spaces apart.
fn columns(rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let width = cell.chars().count();
            match widths.get_mut(i) {
                Some(w) => *w = (*w).max(width),
                None => widths.push(width),
            }
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(cell.chars().count());
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
