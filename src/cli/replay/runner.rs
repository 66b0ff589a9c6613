//! The runner: reads the files, sends them with bounded concurrency, reports in manifest order.

use super::*;

/// A case ready to send.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) case: Case,
    pub(crate) url: reqwest::Url,
    pub(crate) version: SoapVersion,
    /// The file's bytes (a template when the case signs).
    pub(crate) file: Vec<u8>,
    /// The signer, for `sign = true` cases.
    pub(crate) signer: Option<Arc<Signer>>,
}

/// Reads at most `limit` bytes of `path`.
pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, UsageError> {
    let read_error = |error| UsageError::Read { path: path.to_path_buf(), error };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(read_error)?;
    if bytes.len() as u64 > limit {
        return Err(UsageError::TooLarge { path: path.to_path_buf(), limit });
    }
    Ok(bytes)
}

/// Checks `--server`: an http(s) URL without query or fragment.
pub(crate) fn parse_server(url: &str) -> Result<reqwest::Url, UsageError> {
    let error = |problem| UsageError::Server { url: url.to_owned(), problem };
    let u = reqwest::Url::parse(url).map_err(|e| error(ServerProblem::NotUrl(e.to_string())))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(error(ServerProblem::Scheme(u.scheme().to_owned())));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(error(ServerProblem::QueryOrFragment));
    }
    Ok(u)
}

/// Reads the manifest and every file it names, so that nothing is sent unless the whole run can go.
pub(crate) fn prepare(args: &Args) -> Result<(reqwest::Url, Vec<Prepared>), UsageError> {
    let server = parse_server(&args.server)?;
    let manifest = args.manifest.clone().unwrap_or_else(|| args.dir.join(MANIFEST_NAME));
    let bytes = read_bounded(&manifest, MAX_MANIFEST_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|_| UsageError::NotUtf8 { path: manifest.clone() })?;
    let Manifest { cases, signer } = parse_manifest(&text, &manifest)?;
    let manifest_dir = manifest.parent().unwrap_or(Path::new("."));
    let signer = match &signer {
        Some(config) if cases.iter().any(|c| c.sign) => Some(Arc::new(Signer::load(config, manifest_dir)?)),
        _ => None,
    };
    let root = std::fs::canonicalize(&args.dir)
        .map_err(|error| UsageError::Read { path: args.dir.clone(), error })?;
    let base = server.as_str().trim_end_matches('/').to_owned();
    let mut prepared = Vec::with_capacity(cases.len());
    for (i, case) in cases.into_iter().enumerate() {
        let path = args.dir.join(&case.file);
        let real =
            std::fs::canonicalize(&path).map_err(|error| UsageError::Read { path: path.clone(), error })?;
        if !real.starts_with(&root) {
            return Err(field_error(
                &manifest,
                format!("case[{i}].file"),
                &case.file,
                FieldProblem::OutsideFolder,
            ));
        }
        let body = read_bounded(&real, MAX_FILE_BYTES)?;
        let version = match case.soap_version {
            Some(v) => v,
            None => detect_version(&body)
                .map_err(|problem| UsageError::Version { path: path.clone(), problem })?,
        };
        let url = reqwest::Url::parse(&format!("{base}{}", case.route)).map_err(|_| {
            field_error(&manifest, format!("case[{i}].route"), &case.route, FieldProblem::BadRoute)
        })?;
        // Sign and edit once now, so that a template that cannot be signed or a `replace` that misses stops the run
        // before anything is sent; the body actually sent is made again right before sending (fresh Timestamp).
        let case_signer = if case.sign { signer.clone() } else { None };
        super::signer::body(&case, &body, case_signer.as_deref())
            .map_err(|problem| UsageError::Body { path: path.clone(), problem })?;
        prepared.push(Prepared { case, url, version, file: body, signer: case_signer });
    }
    Ok((server, prepared))
}

/// Why a case got no outcome.
#[derive(Debug)]
pub(crate) enum TransportError {
    /// No complete answer within `--timeout`.
    Timeout(u64),
    /// The connection could not be made.
    Connect(String),
    /// The answer was longer than [`MAX_RESPONSE_BYTES`].
    TooLarge,
    /// Anything else while sending or reading.
    Failed(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Timeout(s) => write!(f, "no complete answer within {s} s"),
            TransportError::Connect(e) => write!(f, "cannot connect: {e}"),
            TransportError::TooLarge => write!(f, "answer longer than {MAX_RESPONSE_BYTES} bytes (not read)"),
            TransportError::Failed(e) => write!(f, "request failed: {e}"),
        }
    }
}

/// The error and its sources, joined (reqwest's own text is only the outermost layer).
pub(crate) fn error_chain(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

pub(crate) fn transport_error(e: reqwest::Error, timeout: u64) -> TransportError {
    if e.is_timeout() {
        TransportError::Timeout(timeout)
    } else if e.is_connect() {
        TransportError::Connect(error_chain(&e))
    } else {
        TransportError::Failed(error_chain(&e))
    }
}

/// Sends one envelope and reads the answer (status and at most [`MAX_RESPONSE_BYTES`] of body).
pub(crate) async fn exchange(
    client: &reqwest::Client,
    p: &Prepared,
    timeout: u64,
) -> Result<(u16, Vec<u8>), TransportError> {
    let action = p.case.soap_action.as_deref();
    let body = super::signer::body(&p.case, &p.file, p.signer.as_deref())
        .map_err(|e| TransportError::Failed(format!("cannot make the message: {e}")))?;
    let mut req = client.post(p.url.clone()).body(body);
    req = match p.version {
        SoapVersion::Soap11 => req
            .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("soapaction", format!("\"{}\"", action.unwrap_or_default())),
        SoapVersion::Soap12 => {
            let action = action.map(|a| format!("; action=\"{a}\"")).unwrap_or_default();
            req.header(reqwest::header::CONTENT_TYPE, format!("application/soap+xml; charset=utf-8{action}"))
        }
    };
    let mut resp = req.send().await.map_err(|e| transport_error(e, timeout))?;
    if resp.content_length().is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
        return Err(TransportError::TooLarge);
    }
    let status = resp.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(e, timeout))? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(TransportError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, body))
}

/// One case's result.
#[derive(Debug, Serialize)]
pub(crate) struct CaseReport {
    pub(crate) name: String,
    pub(crate) file: String,
    pub(crate) route: String,
    pub(crate) soap_version: SoapVersion,
    pub(crate) expected: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) expected_status: Option<u16>,
    /// The outcome, or `error` when there was none.
    pub(crate) actual: String,
    /// The HTTP status (none on a transport error).
    pub(crate) status: Option<u16>,
    pub(crate) pass: bool,
    /// What did not match: `outcome`, `status` or `transport`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mismatch: Option<&'static str>,
    pub(crate) elapsed_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
}

impl CaseReport {
    pub(crate) fn new(
        case: &Case,
        version: SoapVersion,
        result: Result<(u16, Outcome), String>,
        elapsed: Duration,
    ) -> CaseReport {
        let (actual, status, mismatch, error) = match result {
            Ok((status, outcome)) => {
                let mismatch = if outcome != case.expect {
                    Some("outcome")
                } else if case.status.is_some_and(|s| s != status) {
                    Some("status")
                } else {
                    None
                };
                (outcome.to_string(), Some(status), mismatch, None)
            }
            Err(e) => ("error".to_owned(), None, Some("transport"), Some(e)),
        };
        CaseReport {
            name: case.name.clone(),
            file: case.file.clone(),
            route: case.route.clone(),
            soap_version: version,
            expected: case.expect.to_string(),
            expected_status: case.status,
            actual,
            status,
            pass: mismatch.is_none(),
            mismatch,
            elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            error,
        }
    }

    /// The text line for this case.
    pub(crate) fn line(&self) -> String {
        let verdict = if self.pass { "PASS" } else { "FAIL" };
        let status = self.status.map(|s| format!("HTTP {s}, ")).unwrap_or_default();
        let expected = match self.expected_status {
            Some(s) => format!("{} (HTTP {s})", self.expected),
            None => self.expected.clone(),
        };
        let what = match (&self.error, self.pass) {
            (Some(e), _) => format!("expected {expected}, got error: {e}"),
            (None, true) => self.actual.clone(),
            (None, false) => format!("expected {expected}, got {}", self.actual),
        };
        format!("{verdict} {} [{}]: {what} ({status}{} ms)\n", self.name, self.file, self.elapsed_ms)
    }
}

/// The counts of a run.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct Summary {
    pub(crate) total: usize,
    pub(crate) passed: usize,
    pub(crate) failed: usize,
    /// Of the failed cases, those without an answer.
    pub(crate) transport_errors: usize,
}

impl Summary {
    pub(crate) fn of(reports: &[CaseReport]) -> Summary {
        let passed = reports.iter().filter(|r| r.pass).count();
        Summary {
            total: reports.len(),
            passed,
            failed: reports.len() - passed,
            transport_errors: reports.iter().filter(|r| r.error.is_some()).count(),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct Report<'a> {
    pub(crate) server: &'a str,
    pub(crate) cases: &'a [CaseReport],
    pub(crate) summary: &'a Summary,
}

/// Sends every case, at most `jobs` at a time, and returns the reports in manifest order. `each` sees every report
/// as soon as it and all before it are done.
pub(crate) async fn replay_all(
    cases: Vec<Prepared>,
    client: reqwest::Client,
    jobs: usize,
    timeout: u64,
    mut each: impl FnMut(&CaseReport),
) -> Vec<CaseReport> {
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let limit = Duration::from_secs(timeout);
    let tasks: Vec<_> = cases
        .into_iter()
        .map(|p| {
            let meta = (p.case.clone(), p.version);
            let client = client.clone();
            let permits = permits.clone();
            let task = tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                let start = Instant::now();
                let result = match tokio::time::timeout(limit, exchange(&client, &p, timeout)).await {
                    Ok(Ok((status, body))) => Ok((status, classify(status, &body))),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err(TransportError::Timeout(timeout).to_string()),
                };
                CaseReport::new(&p.case, p.version, result, start.elapsed())
            });
            (meta, task)
        })
        .collect();
    let mut reports = Vec::with_capacity(tasks.len());
    for ((case, version), task) in tasks {
        let report = match task.await {
            Ok(r) => r,
            Err(e) => {
                CaseReport::new(&case, version, Err(format!("the request task failed: {e}")), Duration::ZERO)
            }
        };
        each(&report);
        reports.push(report);
    }
    reports
}

/// Runs `sluis replay`.
pub(crate) fn run(args: &Args) -> u8 {
    match try_run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sluis replay: {e}");
            EXIT_USAGE
        }
    }
}

pub(crate) fn try_run(args: &Args) -> Result<u8, UsageError> {
    let (server, cases) = prepare(args)?;
    let timeout = args.timeout;
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(timeout))
        .timeout(Duration::from_secs(timeout))
        .build()
        .map_err(|e| UsageError::Setup(format!("cannot set up the HTTP client: {}", error_chain(&e))))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError::Setup(format!("cannot start the runtime: {e}")))?;
    let format = args.format;
    let reports = runtime.block_on(replay_all(cases, client, usize::from(args.jobs), timeout, |r| {
        if format == Format::Text {
            print!("{}", r.line());
        }
    }));
    let summary = Summary::of(&reports);
    match format {
        Format::Text => println!(
            "{} cases: {} passed, {} failed ({} without an answer)",
            summary.total, summary.passed, summary.failed, summary.transport_errors
        ),
        Format::Json => {
            let report = Report { server: server.as_str(), cases: &reports, summary: &summary };
            match serde_json::to_string_pretty(&report) {
                Ok(json) => println!("{json}"),
                Err(e) => return Err(UsageError::Setup(format!("cannot write the report: {e}"))),
            }
        }
    }
    Ok(if summary.failed == 0 { EXIT_OK } else { EXIT_INVALID })
}
