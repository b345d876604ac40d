//! pg_hba lines, read as far as the rules need: the connection type, database, user,
//! address range and method of each `host…` line. Not a rule.

use std::net::IpAddr;

use ipnet::IpNet;

/// One pg_hba line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// `local`, `host`, `hostssl`, `hostnossl`, `hostgssenc`, `hostnogssenc`.
    pub kind: &'a str,
    pub database: &'a str,
    pub user: &'a str,
    /// The address field of a `host…` line, as written.
    pub address: Option<&'a str>,
    /// The separate netmask field (`10.0.0.0 255.0.0.0`), if used.
    pub mask: Option<&'a str>,
    pub method: &'a str,
}

/// What a line's address admits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    /// `all`: every address.
    All,
    Range(IpNet),
    /// A host name, `samehost`, `samenet`, or something unreadable.
    Other,
}

impl<'a> Line<'a> {
    /// The line's fields, or `None` for a blank, comment or malformed line.
    pub fn parse(text: &'a str) -> Option<Self> {
        let text = text.split('#').next().unwrap_or_default();
        let mut fields = text.split_whitespace();
        let kind = fields.next()?;
        let database = fields.next()?;
        let user = fields.next()?;
        if kind == "local" {
            return Some(Self {
                kind,
                database,
                user,
                address: None,
                mask: None,
                method: fields.next()?,
            });
        }
        if !kind.starts_with("host") {
            return None;
        }
        let address = fields.next()?;
        let mut next = fields.next()?;
        let mut mask = None;
        if !address.contains('/')
            && address.parse::<IpAddr>().is_ok()
            && next.parse::<IpAddr>().is_ok()
        {
            mask = Some(next);
            next = fields.next()?;
        }
        Some(Self {
            kind,
            database,
            user,
            address: Some(address),
            mask,
            method: next,
        })
    }

    /// The address field when it is written as a CIDR range.
    pub fn cidr_text(&self) -> Option<&'a str> {
        self.address.filter(|a| a.contains('/'))
    }

    pub fn address(&self) -> Address {
        let Some(address) = self.address else {
            return Address::Other;
        };
        if address == "all" {
            return Address::All;
        }
        if let Ok(net) = address.parse::<IpNet>() {
            return Address::Range(net.trunc());
        }
        match (
            address.parse::<IpAddr>(),
            self.mask.map(str::parse::<IpAddr>),
        ) {
            (Ok(ip), Some(Ok(mask))) => match ipnet::ip_mask_to_prefix(mask)
                .ok()
                .and_then(|prefix| IpNet::new(ip, prefix).ok())
            {
                Some(net) => Address::Range(net.trunc()),
                None => Address::Other,
            },
            _ => Address::Other,
        }
    }

    /// Whether this line lets a TLS client from anywhere in `range` log in to a normal
    /// database (not only `replication`) with some method other than `reject`.
    pub fn admits_tls_logins_from(&self, range: &IpNet) -> bool {
        if !matches!(self.kind, "host" | "hostssl") || self.method == "reject" {
            return false;
        }
        if self.database.split(',').all(|d| d == "replication") {
            return false;
        }
        match self.address() {
            Address::All => true,
            Address::Range(net) => net.contains(range),
            Address::Other => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cidr_and_mask_forms() {
        let line = Line::parse("hostssl all all 10.0.0.0/8 scram-sha-256 # office").unwrap();
        assert_eq!(line.cidr_text(), Some("10.0.0.0/8"));
        assert!(line.admits_tls_logins_from(&"10.1.0.0/16".parse().unwrap()));
        assert!(!line.admits_tls_logins_from(&"192.0.2.0/24".parse().unwrap()));
        let masked = Line::parse("host all all 192.0.2.0 255.255.255.0 md5").unwrap();
        assert_eq!(
            masked.address(),
            Address::Range("192.0.2.0/24".parse().unwrap())
        );
        assert_eq!(masked.method, "md5");
        let reject = Line::parse("hostssl all all 0.0.0.0/0 reject").unwrap();
        assert!(!reject.admits_tls_logins_from(&"192.0.2.0/24".parse().unwrap()));
        let replication = Line::parse("hostssl replication standby 0.0.0.0/0 md5").unwrap();
        assert!(!replication.admits_tls_logins_from(&"192.0.2.0/24".parse().unwrap()));
        assert_eq!(Line::parse("local all all trust").unwrap().address, None);
        assert_eq!(Line::parse("# comment"), None);
    }
}
