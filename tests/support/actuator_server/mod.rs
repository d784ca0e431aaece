//! A Spring Boot actuator test server for resilience4j circuit breakers:
//! plain HTTP on 127.0.0.1, serving `/actuator/circuitbreakers` (GET, and
//! POST `{"updateState": ..}` per breaker), `/actuator/health` and
//! `/actuator/prometheus` in the shapes of `tests/fixtures/actuator/` and
//! `tests/fixtures/prometheus/exposition-spring-resilience4j.txt`.
//!
//! The breakers follow resilience4j's state machine (COUNT_BASED window,
//! minimum calls, slow calls, HALF_OPEN trial calls, FORCED_OPEN, DISABLED,
//! METRICS_ONLY) on a manual clock: tests make calls and move time through
//! the handle, never sleeping. The server runs on its own thread and tokio
//! runtime, so sync tests and `#[tokio::test]`s alike can use it, and
//! serves until the test process ends.
//!
//! ```text
//! let server = ActuatorServer::start(Config::new("payment-service")
//!     .breaker("paymentService", BreakerConfig::default()));
//! server.calls("paymentService", 5, Call::Failure);
//! assert_eq!(server.state("paymentService"), "OPEN");
//! server.advance(Duration::from_secs(60));
//! assert_eq!(server.state("paymentService"), "HALF_OPEN");
//! // ... point opsdeck at server.base_url() ...
//! assert!(server.requests().contains(&"GET /actuator/circuitbreakers".to_string()));
//! ```
//!
//! Known differences from a real application: `/actuator/health/{path}`
//! and `/actuator/circuitbreakerevents` are not served, TIME_BASED windows
//! are not modelled, the timers have no `_max` series, and an unknown breaker name in a POST
//! answers 404 unless [`Config::create_unknown_breakers`] is set (real
//! resilience4j creates the breaker).

mod call;
mod config;
mod exposition;
mod faults;
mod health;
mod java_text;
mod machine;
mod media;
mod meters;
mod metrics;
mod registry;
mod replies;
mod respond;
mod routes;
mod time;
mod update;

use std::net::SocketAddr;
use std::time::Duration;

pub use call::Call;
pub use config::{BreakerConfig, Config};
pub use faults::Mode;
pub use machine::State;

use registry::{Registry, Shared};

/// A running actuator; it keeps serving after the handle is dropped.
pub struct ActuatorServer {
    addr: SocketAddr,
    shared: Shared,
}

impl ActuatorServer {
    /// Binds an ephemeral port on 127.0.0.1 and serves from a thread of
    /// its own. Panics on a breaker configuration resilience4j refuses.
    pub fn start(config: Config) -> Self {
        let shared = Shared::new(Registry::new(config));
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("binding an ephemeral loopback port");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        listener
            .set_nonblocking(true)
            .expect("tokio needs a non-blocking listener");
        let app = routes::router(shared.clone());
        std::thread::Builder::new()
            .name(format!("actuator-server-{}", addr.port()))
            .spawn(move || serve(listener, app))
            .expect("spawning the actuator server thread");
        Self { addr, shared }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:{port}/actuator`, the actuator base path.
    pub fn base_url(&self) -> String {
        format!("http://{}/actuator", self.addr)
    }

    /// [`Self::base_url`] followed by `path`, e.g. `url("/health")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    // ----- what the application does -----

    /// Registers another breaker, as resilience4j does on first use.
    pub fn add_breaker(&self, name: &str, config: BreakerConfig) {
        self.shared.lock().add(name, config);
    }

    /// Makes one call through breaker `name`; false when it was not
    /// permitted (OPEN, FORCED_OPEN, or HALF_OPEN out of trial calls).
    pub fn record(&self, name: &str, call: Call) -> bool {
        let mut registry = self.shared.lock();
        let now = registry.now;
        registry.breaker(name).call(now, call)
    }

    /// Begins a call that ends with [`Self::end_call`], to have calls in
    /// flight across a state change; false when it was not permitted.
    pub fn begin_call(&self, name: &str) -> bool {
        let mut registry = self.shared.lock();
        let now = registry.now;
        registry.breaker(name).begin(now)
    }

    /// Ends a call begun with [`Self::begin_call`], recording it in the
    /// breaker's state of now.
    pub fn end_call(&self, name: &str, call: Call) {
        let mut registry = self.shared.lock();
        let now = registry.now;
        registry.breaker(name).end(now, call);
    }

    /// Makes `count` calls of one kind; returns how many were permitted.
    pub fn calls(&self, name: &str, count: usize, call: Call) -> usize {
        (0..count).filter(|_| self.record(name, call)).count()
    }

    /// Moves the manual clock; OPEN breakers whose wait has passed become
    /// HALF_OPEN now if their automatic transition is on.
    pub fn advance(&self, by: Duration) {
        self.shared.lock().advance(by);
    }

    /// Time on the manual clock since start.
    pub fn elapsed(&self) -> Duration {
        self.shared.lock().now
    }

    /// Moves breaker `name` to `to` as resilience4j's `transitionTo…State`
    /// does (METRICS_ONLY is reachable only this way). Panics on a
    /// transition resilience4j forbids, such as CLOSED→HALF_OPEN.
    pub fn transition(&self, name: &str, to: State) {
        let mut registry = self.shared.lock();
        let now = registry.now;
        registry.breaker(name).transition(now, to);
    }

    // ----- how the actuator is deployed -----

    /// Switches the fault mode; [`Mode::Normal`] undoes it.
    pub fn set_mode(&self, mode: Mode) {
        self.shared.lock().mode = mode;
    }

    /// Requires `Authorization: Bearer {token}` on every request (None:
    /// no check); others get Spring Security's bare 401.
    pub fn require_bearer_token(&self, token: Option<&str>) {
        self.shared.lock().bearer_token = token.map(str::to_owned);
    }

    // ----- inspection -----

    /// The breaker's state as actuator replies write it: `HALF_OPEN`.
    pub fn state(&self, name: &str) -> String {
        self.shared.lock().breaker(name).state().name().to_owned()
    }

    /// State changes so far as resilience4j names them (`CLOSED_TO_OPEN`),
    /// oldest first.
    pub fn transitions(&self, name: &str) -> Vec<String> {
        let mut registry = self.shared.lock();
        let breaker = registry.breaker(name);
        let transitions = breaker.transitions().iter();
        transitions
            .map(|(from, to)| format!("{from}_TO_{to}"))
            .collect()
    }

    /// Every request received so far as `METHOD /path?query`, in order.
    pub fn requests(&self) -> Vec<String> {
        self.shared.lock().requests.clone()
    }

    /// Forgets the recorded requests, e.g. after a test's setup.
    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }
}

/// The server thread: a runtime of its own, serving until the process ends.
fn serve(listener: std::net::TcpListener, app: axum::Router) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("building the actuator server's runtime");
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::from_std(listener).expect("handing the listener to tokio");
        axum::serve(listener, app)
            .await
            .expect("the actuator test server stopped with an error");
    });
}
