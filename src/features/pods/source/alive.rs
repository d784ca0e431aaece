//! Word that a watch is connected when it yields nothing to say so. kube's
//! watcher resumes a watch after a reconnect, and reads bookmarks, without
//! yielding an event: a stream whose objects do not change (deployments,
//! events) kept its last error on the badge long after the API server came
//! back. So each watch gets a client of its own that notes every successful
//! reply and every part of one it reads, and the stream yields `Alive` when
//! it heard something that no item accounts for.

use futures::Stream;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use http::{Request, Response};
use http_body::Frame;
use kube::Client;
use kube::client::Body;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An item of a watch, or word that its connection answered.
#[derive(Debug)]
pub enum Watched<T> {
    Item(T),
    Alive,
}

/// The stream `watch` makes from a client, with word of its connection.
pub fn watched<T>(client: Client, watch: impl FnOnce(Client) -> BoxStream<'static, T>) -> Alive<T> {
    let heard = Heard::default();
    let default_namespace = client.default_namespace().to_string();
    let noting = Client::new(
        Noting {
            client,
            heard: heard.clone(),
        },
        default_namespace,
    );
    Alive {
        inner: watch(noting),
        heard,
    }
}

/// Whether the API server answered since the stream last yielded.
#[derive(Clone, Debug, Default)]
struct Heard(Arc<AtomicBool>);

impl Heard {
    fn note(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    fn take(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

/// A watch stream that also yields `Watched::Alive`.
pub struct Alive<T> {
    inner: BoxStream<'static, T>,
    heard: Heard,
}

impl<T> Stream for Alive<T> {
    type Item = Watched<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // The client is polled inside `inner`, so what it heard is known
        // once `inner` returns.
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(item) => {
                // The item is what was heard, and says more (an error
                // read from a reply must not be followed by `Alive`).
                self.heard.take();
                Poll::Ready(item.map(Watched::Item))
            }
            Poll::Pending if self.heard.take() => Poll::Ready(Some(Watched::Alive)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The client's service: the shared client's, noting successful replies.
struct Noting {
    client: Client,
    heard: Heard,
}

impl tower_service::Service<Request<Body>> for Noting {
    type Response = Response<NotingBody>;
    type Error = kube::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The shared client waits for its own readiness in `send`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let client = self.client.clone();
        let heard = self.heard.clone();
        Box::pin(async move {
            let response = client.send(request).await?;
            // An error reply (403, 410) is not a connected watch.
            let ok = response.status().is_success();
            if ok {
                heard.note();
            }
            Ok(response.map(|body| NotingBody {
                body,
                heard: ok.then_some(heard),
            }))
        })
    }
}

/// A reply's body that notes each part read (bookmarks included).
struct NotingBody {
    body: Body,
    heard: Option<Heard>,
}

impl http_body::Body for NotingBody {
    type Data = <Body as http_body::Body>::Data;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if let (Poll::Ready(Some(Ok(frame))), Some(heard)) = (&polled, &self.heard)
            && frame.is_data()
        {
            heard.note();
        }
        polled.map_err(unwrapped)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// The body's own error, so the client wrapping this body reports a broken
/// stream as it did before (not as a service error inside another).
fn unwrapped(e: kube::Error) -> BoxError {
    match e {
        kube::Error::Service(inner) => inner,
        other => Box::new(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use futures::channel::mpsc;
    use http_body_util::StreamBody;
    use k8s_openapi::api::core::v1::Pod;
    use kube::Api;
    use kube::runtime::watcher;
    use std::convert::Infallible;
    use std::sync::Mutex;
    use std::time::Duration;

    type Bytes = <Body as http_body::Body>::Data;
    type Frames = BoxStream<'static, Result<Frame<Bytes>, Infallible>>;
    type Pushed = mpsc::UnboundedReceiver<Result<Frame<Bytes>, Infallible>>;

    const LIST: &str =
        r#"{"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"1"},"items":[]}"#;
    const BOOKMARK: &str = r#"{"type":"BOOKMARK","object":{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":"2"}}}"#;
    const INTERNAL_ERROR: &str = r#"{"type":"ERROR","object":{"apiVersion":"v1","kind":"Status","metadata":{},"status":"Failure","message":"etcd is unhappy","reason":"InternalError","code":500}}"#;

    /// An API server with no pods whose first watch sends what the test
    /// pushes, and stays open.
    struct FakeApi {
        watch: Arc<Mutex<Option<Pushed>>>,
    }

    impl tower_service::Service<Request<Body>> for FakeApi {
        type Response = Response<StreamBody<Frames>>;
        type Error = Infallible;
        type Future = std::future::Ready<Result<Self::Response, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: Request<Body>) -> Self::Future {
            let watching = request.uri().query().unwrap_or("").contains("watch=true");
            let frames: Frames = if watching {
                match self.watch.lock().ok().and_then(|mut w| w.take()) {
                    Some(rx) => rx.boxed(),
                    None => futures::stream::pending().boxed(),
                }
            } else {
                futures::stream::iter([Ok(Frame::data(Bytes::from(LIST)))]).boxed()
            };
            std::future::ready(Ok(Response::new(StreamBody::new(frames))))
        }
    }

    fn line(text: &str) -> Result<Frame<Bytes>, Infallible> {
        Ok(Frame::data(Bytes::from(format!("{text}\n"))))
    }

    async fn next<T>(stream: &mut Alive<T>) -> Option<Watched<T>> {
        tokio::time::timeout(Duration::from_millis(300), stream.next())
            .await
            .ok()
            .flatten()
    }

    #[tokio::test]
    async fn a_connected_watch_and_a_bookmark_say_alive_and_an_error_does_not() {
        let (frames, rx) = mpsc::unbounded();
        let api = FakeApi {
            watch: Arc::new(Mutex::new(Some(rx))),
        };
        let client = Client::new(api, "default");
        let mut pods = watched(client, |client| {
            watcher(
                Api::<Pod>::namespaced(client, "default"),
                watcher::Config::default(),
            )
            .boxed()
        });
        assert!(matches!(
            next(&mut pods).await,
            Some(Watched::Item(Ok(watcher::Event::Init)))
        ));
        // The list's reply is heard, but the event it led to says more.
        assert!(matches!(
            next(&mut pods).await,
            Some(Watched::Item(Ok(watcher::Event::InitDone)))
        ));
        // The watch is connected: no event, but word of it.
        assert!(matches!(next(&mut pods).await, Some(Watched::Alive)));
        assert!(next(&mut pods).await.is_none(), "nothing more heard");

        let sent = frames.unbounded_send(line(INTERNAL_ERROR));
        assert!(sent.is_ok());
        assert!(matches!(next(&mut pods).await, Some(Watched::Item(Err(_)))));
        assert!(
            next(&mut pods).await.is_none(),
            "the error is not followed by Alive"
        );

        let sent = frames.unbounded_send(line(BOOKMARK));
        assert!(sent.is_ok());
        assert!(matches!(next(&mut pods).await, Some(Watched::Alive)));
    }
}
