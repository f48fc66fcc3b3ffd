//! Customer errors through the app's catchers
//! (`CinetPay::customer_errors_to_catchers`), and the engine's own text
//! without it.

use cinetpay_core::engine::CustomerErrorKind;
use cinetpay_rocket::CinetPay;
use rocket::http::{Accept, ContentType, Status};
use rocket::local::asynchronous::Client;
use rocket::response::content::RawHtml;
use rocket::{Request, catch, catchers};

use crate::common;

/// The app's page for any error; says what the engine's error was.
#[catch(default)]
fn shop_error_page(status: Status, request: &Request<'_>) -> RawHtml<String> {
    let text = match CinetPay::customer_error(request) {
        Some(error) => {
            let unknown = matches!(error.kind(), CustomerErrorKind::UnknownOrder);
            format!("{} (unknown order: {unknown})", error.message())
        }
        None => "no customer error".to_owned(),
    };
    RawHtml(format!(
        "<main><h1>{}</h1><p>{text}</p></main>",
        status.code
    ))
}

async fn client(to_catchers: bool) -> Client {
    let mut fairing =
        CinetPay::from_checkout(common::checkout("/cinetpay", 4096)).without_reconciler();
    if to_catchers {
        fairing = fairing.customer_errors_to_catchers();
    }
    let rocket = rocket::custom(rocket::Config::debug_default())
        .register("/", catchers![shop_error_page])
        .attach(fairing);
    Client::tracked(rocket).await.unwrap()
}

#[rocket::async_test]
async fn customer_errors_reach_the_apps_catcher_when_asked() {
    let client = client(true).await;
    // A browser's "pay" click for an order the shop does not know.
    let page = client
        .post("/cinetpay/init")
        .header(ContentType::Form)
        .header(Accept::HTML)
        .body("order_ref=ORDER-1")
        .dispatch()
        .await;
    assert_eq!(page.status(), Status::NotFound);
    assert_eq!(page.content_type(), Some(ContentType::HTML));
    let text = page.into_string().await.unwrap();
    assert!(text.contains("<h1>404</h1>"), "{text}");
    assert!(text.contains("(unknown order: true)"), "{text}");

    // A missing order_ref is the customer's error too: 400, through the catcher.
    let missing = client
        .post("/cinetpay/init")
        .header(ContentType::Form)
        .body("other=1")
        .dispatch()
        .await;
    assert_eq!(missing.status(), Status::BadRequest);
    assert!(
        missing
            .into_string()
            .await
            .unwrap()
            .contains("<h1>400</h1>")
    );

    // JSON answers stay the engine's.
    let json = client
        .post("/cinetpay/init")
        .header(ContentType::Form)
        .header(Accept::JSON)
        .body("order_ref=ORDER-1")
        .dispatch()
        .await;
    assert_eq!(json.status(), Status::NotFound);
    assert_eq!(json.content_type(), Some(ContentType::JSON));

    // Other routes' answers are not customer errors: unchanged.
    let put = client.put("/cinetpay/notify").dispatch().await;
    assert_eq!(put.status(), Status::MethodNotAllowed);
    assert_eq!(put.headers().get_one("Allow"), Some("GET, HEAD, POST"));
}

#[rocket::async_test]
async fn without_it_the_engines_text_is_the_answer() {
    let client = client(false).await;
    let page = client
        .post("/cinetpay/init")
        .header(ContentType::Form)
        .header(Accept::HTML)
        .body("order_ref=ORDER-1")
        .dispatch()
        .await;
    assert_eq!(page.status(), Status::NotFound);
    assert_eq!(page.content_type(), Some(ContentType::Plain));
    let text = page.into_string().await.unwrap();
    assert!(!text.contains("<h1>"), "{text}");
}
