//! Every rule pgx knows: its stable id, severity and why it exists. Ids never change
//! meaning once released; a retired rule's id is not reused.

use crate::finding::Severity;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what the rule catches.
    pub summary: &'static str,
    /// Why it matters, in the words of what broke.
    pub why: &'static str,
}

const fn rule(
    id: &'static str,
    severity: Severity,
    summary: &'static str,
    why: &'static str,
) -> Rule {
    Rule {
        id,
        severity,
        summary,
        why,
    }
}

use Severity::{Error, Warning};

pub const RULES: &[Rule] = &[
    rule("PGX101", Error, "unknown key", "a misspelt key is otherwise ignored: a typo such as `allowedSourceRange` silently opens a database to the world"),
    rule("PGX102", Error, "wrong type or a value outside its set", "the chart turned unexpected types into defaults or invalid manifests that the API server or operator rejected"),
    rule("PGX103", Error, "two clusters with the same namespace and name", "both would render the same objects; the second silently replaces the first"),
    rule("PGX104", Error, "a name that is not valid for what it becomes", "cluster names become Service names (`<name>-external-admin`, `<name>-pooler-repl`) that must be DNS-1035 labels of at most 63 characters; the API server rejects the rest"),
    rule("PGX105", Error, "zero clusters to render", "an empty stream given to a GitOps tool with pruning deletes every database object"),
    rule("PGX106", Error, "a value that must be set is missing", "the object cannot work without it: cert-manager or the operator rejects it, or renders something that never becomes ready"),
    rule("PGX107", Warning, "an unquoted yes/no/on/off/y/n where a string is expected", "Helm reads YAML 1.1 and saw a boolean there; pgx reads the string, so the two disagree until it is quoted"),
    rule("PGX201", Error, "two Services on the same IP and port", "MetalLB cannot give one IP and port to two Services; one of them never gets its address"),
    rule("PGX202", Error, "Services that share an IP cannot be shared by MetalLB", "MetalLB shares an IP between `externalTrafficPolicy: Local` Services only when they select the same pods; otherwise it refuses to allocate it"),
    rule("PGX203", Error, "an IP or CIDR that does not parse", "MetalLB or the API server rejects it, or a source range admits something else than meant"),
    rule("PGX204", Error, "the admin endpoint is open to everyone", "the admin endpoint reaches the master directly, bypassing the pooler: it must be restricted to known networks"),
    rule("PGX205", Warning, "a write or read endpoint admits the whole internet", "anyone can try passwords against the database"),
    rule("PGX206", Error, "a hostname used twice or not a valid DNS name", "external-dns creates one record per name: two endpoints with one hostname fight over it, and an invalid name is never published"),
    rule("PGX207", Error, "a port or session affinity timeout out of range", "the API server rejects the Service"),
    rule("PGX208", Error, "the same kind's IP given twice with different values", "`writeIP` and `sharedIPs.write` name the same thing; with two values it is unclear which the Services get"),
    rule("PGX301", Error, "external access without TLS", "every external connection must be encrypted"),
    rule("PGX302", Error, "an external hostname missing from the certificate", "clients using `sslmode=verify-full` refuse a certificate that does not name the host they connect to"),
    rule("PGX303", Error, "an ACME issuer asked to sign names it never signs", "Let's Encrypt refuses certificates for internal names (`*.svc`, `*.cluster.local`), single-label names and IP addresses, so the certificate never becomes ready"),
    rule("PGX304", Error, "a certificate whose issuer pgx neither creates nor is told exists", "cert-manager waits forever for an issuer that does not exist"),
    rule("PGX305", Error, "an invalid duration or renewBefore", "cert-manager rejects the Certificate, or renews it constantly"),
    rule("PGX306", Error, "a private key size not valid for its algorithm", "cert-manager rejects the Certificate"),
    rule("PGX307", Warning, "a selfSigned issuer gives clients nothing stable to trust", "a selfSigned issuer signs each certificate with its own key, so every renewal breaks `verify-full` pins"),
    rule("PGX308", Error, "TLS enabled without spiloFSGroup", "Postgres cannot read the mounted key and does not start"),
    rule("PGX309", Error, "a certificate common name longer than 64 characters", "cert-manager rejects the Certificate"),
    rule("PGX401", Error, "a read endpoint on a single-instance cluster", "a cluster with one instance has no replicas: the read endpoint selects no pods"),
    rule("PGX402", Error, "synchronousNodeCount not below numberOfInstances", "Patroni cannot keep that many synchronous replicas; writes block in strict mode"),
    rule("PGX403", Error, "a PDB that blocks node drains", "a budget whose minAvailable is not below the number of instances blocks node drains forever"),
    rule("PGX404", Error, "secret rotation for an undeclared user", "the operator rotates nothing for a user it does not manage"),
    rule("PGX405", Warning, "a database owner that is not a declared user", "the operator creates the database with an owner role that may not exist"),
    rule("PGX406", Error, "a replication slot naming an undeclared database", "Patroni cannot create the slot"),
    rule("PGX407", Error, "a malformed maintenance window", "the `postgresql` CRD rejects the object"),
    rule("PGX408", Warning, "admin with Local traffic policy and no pg_hba line for its ranges", "Local keeps the client's address, and pg_hba admits no external address: every external admin login is refused"),
    rule("PGX409", Error, "an operator-wide setting on the cluster", "the `postgresql` resource has no logical backup S3 fields; the API server rejects them (they belong in the OperatorConfiguration)"),
    rule("PGX501", Error, "a secret written into values", "it would land in git and in the rendered object; point at a Secret instead"),
    rule("PGX502", Error, "a secretTemplate key under cert-manager's reserved prefix", "cert-manager owns `cert-manager.io/` labels and annotations on the Secret and rejects the Certificate"),
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}
