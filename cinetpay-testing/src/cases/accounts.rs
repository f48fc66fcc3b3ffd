//! Which CinetPay account and API generation a payment belongs to, and what
//! the 2026 API answers at init besides the page: the notify token and
//! CinetPay's own id.

use std::sync::Arc;

use cinetpay_core::{
    AccountName, Generation, NotifyToken, Payment, PaymentLookup, PaymentPage, PaymentStatus,
    Timestamp,
};

use crate::check::Check;
use crate::fixtures::{self, at};
use crate::{QueryableStore, StoreBackend};

/// The account and the generation of a new payment come back unchanged from
/// `insert_payment`, `find_payment` and `payments_for_order`, for every
/// combination of a named account (`cm`, and the longest name allowed) or the
/// default one with Checkout v2 or the 2026 API, and are kept by later writes
/// (a page, a transition).
pub async fn account_and_generation_round_trip(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("account_and_generation_round_trip");
    let store = backend.instance().await;
    let s = &*store;
    let longest = "a".repeat(30) + "_9";
    let combinations = [
        ("cm", Generation::Rest2026),
        ("cm", Generation::CheckoutV2),
        (AccountName::DEFAULT, Generation::Rest2026),
        (longest.as_str(), Generation::Rest2026),
    ];
    for (i, (account, generation)) in combinations.into_iter().enumerate() {
        let step = i64::try_from(i).unwrap_or(0) * 1_000;
        let mut new = fixtures::new_payment(&fixtures::order_ref("account"), 1500, at(step));
        new.account = AccountName::new(account).unwrap_or_else(|e| c.fail(e));
        new.generation = generation;
        c.insert(s, &new).await;

        let what = format!("account {account:?} on {generation}");
        let found = c.get(s, &new.transaction_id).await;
        same_origin(c, &format!("find_payment ({what})"), &new, &found);
        c.same_payment(
            &format!("find_payment returns the inserted payment ({what})"),
            &Payment::from_new(&new),
            &found,
        );
        let listed = c.ok(
            "payments_for_order",
            s.payments_for_order(&new.order_ref, 10).await,
        );
        match listed.first() {
            Some(listed) => same_origin(c, &format!("payments_for_order ({what})"), &new, listed),
            None => c.fail(format_args!(
                "payments_for_order of order {} to list its payment ({what})",
                new.order_ref
            )),
        }

        // Later writes keep them.
        let url = fixtures::payment_url(&new.transaction_id);
        let page = fixtures::page("tok", &url, at(step + 100));
        let attached = c.ok(
            "attach_payment_page",
            s.attach_payment_page(&new.transaction_id, &page).await,
        );
        c.that(
            attached,
            "attach_payment_page of a new payment to return true",
        );
        c.transition(
            s,
            &new,
            PaymentStatus::Pending,
            PaymentStatus::Accepted,
            at(step + 200),
        )
        .await;
        let after = c.get(s, &new.transaction_id).await;
        same_origin(
            c,
            &format!("find_payment after a page and a transition ({what})"),
            &new,
            &after,
        );
    }
}

/// `account` and `generation` of `found` are those of `new`.
#[track_caller]
fn same_origin(c: Check, what: &str, new: &cinetpay_core::NewPayment, found: &Payment) {
    c.eq(
        &format!("the account, {what}"),
        &new.account,
        &found.account,
    );
    c.eq(
        &format!("the generation, {what}"),
        new.generation,
        found.generation,
    );
}

/// `attach_payment_page` with the 2026 API's answer stores the notify token
/// (compared by its text: `Debug` hides it) and CinetPay's own id with the
/// token and the page, in one call; a later page replaces both; a superseded
/// payment gets none of it (`false`, nothing written).
pub async fn attach_payment_page_records_the_2026_answer(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("attach_payment_page_records_the_2026_answer");
    let store = backend.instance().await;
    let s = &*store;
    let mut new = fixtures::new_payment(&fixtures::order_ref("rest-page"), 1500, at(0));
    new.account = AccountName::new("ci").unwrap_or_else(|e| c.fail(e));
    new.generation = Generation::Rest2026;
    let row = c.insert(s, &new).await;

    let first = Answer::new(c, "1f0c9a7e", at(250));
    attach_ok(c, s, &new.transaction_id, &first.page()).await;
    let mut expected = row.clone();
    first.apply_to(&mut expected);
    let found = c.get(s, &new.transaction_id).await;
    first.stored_in(c, "after attach_payment_page", &found);
    c.same_payment(
        "the payment after attach_payment_page with a notify token and CinetPay's id",
        &expected,
        &found,
    );

    let second = Answer::new(c, "77d2b04c", at(500));
    attach_ok(c, s, &new.transaction_id, &second.page()).await;
    let found = c.get(s, &new.transaction_id).await;
    second.stored_in(c, "after a second attach_payment_page (replaced)", &found);

    // A superseded payment's answer is never recorded.
    let old = fixtures::new_payment(&fixtures::order_ref("rest-superseded"), 1500, at(0));
    c.insert(s, &old).await;
    let done = c.ok(
        "supersede_payment",
        s.supersede_payment(&old.transaction_id, at(100)).await,
    );
    c.that(
        done,
        "supersede_payment of an open pending payment to return true",
    );
    let before = c.get(s, &old.transaction_id).await;
    let late = Answer::new(c, "5be3aa10", at(200));
    let attached = c.ok(
        "attach_payment_page",
        s.attach_payment_page(&old.transaction_id, &late.page())
            .await,
    );
    c.that(
        !attached,
        "attach_payment_page of a superseded payment to return false",
    );
    let after = c.get(s, &old.transaction_id).await;
    c.eq(
        "the notify token of a superseded payment after attach_payment_page",
        None,
        after.notify_token.as_ref().map(NotifyToken::expose),
    );
    c.eq(
        "CinetPay's id of a superseded payment after attach_payment_page",
        None,
        after.cinetpay_id.as_deref(),
    );
    c.same_payment(
        "a superseded payment after attach_payment_page (unchanged)",
        &before,
        &after,
    );
}

/// A payment has no notify token and no CinetPay id until a 2026 page is
/// attached: not when inserted (on either generation), not in
/// `payments_for_order`, and not after a Checkout v2 page.
pub async fn no_notify_token_without_a_2026_page(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("no_notify_token_without_a_2026_page");
    let store = backend.instance().await;
    let s = &*store;
    for generation in [Generation::Rest2026, Generation::CheckoutV2] {
        let mut new = fixtures::new_payment(&fixtures::order_ref("no-token"), 1500, at(0));
        new.generation = generation;
        c.insert(s, &new).await;
        let found = c.get(s, &new.transaction_id).await;
        nothing_from_2026(c, &format!("a new {generation} payment"), &found);
        let listed = c.ok(
            "payments_for_order",
            s.payments_for_order(&new.order_ref, 10).await,
        );
        for p in &listed {
            nothing_from_2026(c, &format!("payments_for_order ({generation})"), p);
        }

        let url = fixtures::payment_url(&new.transaction_id);
        attach_ok(
            c,
            s,
            &new.transaction_id,
            &fixtures::page("v2-token", &url, at(100)),
        )
        .await;
        let found = c.get(s, &new.transaction_id).await;
        nothing_from_2026(
            c,
            &format!("a {generation} payment after a Checkout v2 page"),
            &found,
        );
    }
}

#[track_caller]
fn nothing_from_2026(c: Check, what: &str, p: &Payment) {
    c.eq(
        &format!("the notify token of {what}"),
        None,
        p.notify_token.as_ref().map(NotifyToken::expose),
    );
    c.eq(
        &format!("CinetPay's id of {what}"),
        None,
        p.cinetpay_id.as_deref(),
    );
}

async fn attach_ok(
    c: Check,
    s: &dyn QueryableStore,
    id: &cinetpay_core::TransactionId,
    page: &PaymentPage<'_>,
) {
    let attached = c.ok("attach_payment_page", s.attach_payment_page(id, page).await);
    c.that(
        attached,
        "attach_payment_page of an open payment to return true",
    );
}

/// What `POST /v1/payment` answers, at realistic lengths.
struct Answer {
    payment_token: String,
    payment_url: String,
    notify_token: NotifyToken,
    cinetpay_id: String,
    at: Timestamp,
}

impl Answer {
    fn new(c: Check, seed: &str, at: Timestamp) -> Self {
        let payment_token = seed.repeat(12);
        Answer {
            payment_url: format!("https://checkout.cinetpay.com/payment/{payment_token}"),
            payment_token,
            notify_token: NotifyToken::new(format!("nt_{}", seed.repeat(8)))
                .unwrap_or_else(|e| c.fail(e)),
            cinetpay_id: format!("{seed}-4e1b-9c2d-{}", seed.repeat(2)),
            at,
        }
    }

    fn page(&self) -> PaymentPage<'_> {
        PaymentPage {
            payment_token: &self.payment_token,
            payment_url: &self.payment_url,
            notify_token: Some(&self.notify_token),
            cinetpay_id: Some(&self.cinetpay_id),
            at: self.at,
        }
    }

    fn apply_to(&self, p: &mut Payment) {
        p.payment_token = Some(self.payment_token.clone());
        p.payment_url = Some(self.payment_url.clone());
        p.notify_token = Some(self.notify_token.clone());
        p.cinetpay_id = Some(self.cinetpay_id.clone());
        p.updated_at = self.at;
    }

    /// `p` holds this answer; the notify token compared by its text.
    #[track_caller]
    fn stored_in(&self, c: Check, what: &str, p: &Payment) {
        c.eq(
            &format!("the notify token {what}"),
            Some(self.notify_token.expose()),
            p.notify_token.as_ref().map(NotifyToken::expose),
        );
        c.eq(
            &format!("CinetPay's id {what}"),
            Some(self.cinetpay_id.as_str()),
            p.cinetpay_id.as_deref(),
        );
        c.eq(
            &format!("the payment token {what}"),
            Some(self.payment_token.as_str()),
            p.payment_token.as_deref(),
        );
        c.eq(
            &format!("the page {what}"),
            Some(self.payment_url.as_str()),
            p.payment_url.as_deref(),
        );
        c.same_time(
            &format!("updated_at {what}"),
            Some(self.at),
            Some(p.updated_at),
        );
    }
}

/// `find_for_notification` says what `find_payment` says, through a
/// payment's life: the whole payment while it is pending on Checkout v2, a
/// 2026 API payment with its notify token, accepted and claimed; once
/// delivered, its summary (`is_delivered`); nothing for an unknown id. A
/// store that reads fewer columns of a delivered payment must read the right
/// ones.
pub async fn find_for_notification_matches_the_payment(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("find_for_notification_matches_the_payment");
    let store = backend.instance().await;
    let s = &*store;
    let same = |what: &str, payment: &Payment, found: Option<PaymentLookup>| {
        let expected = PaymentLookup::of(payment.clone());
        c.that(
            found.as_ref() == Some(&expected),
            format_args!("find_for_notification ({what}) to be {expected:?}, found {found:?}"),
        );
    };
    let lookup = |id| s.find_for_notification(id);

    let pending = fixtures::new_payment(&fixtures::order_ref("lookup-v2"), 1500, at(0));
    let row = c.insert(s, &pending).await;
    let found = c.ok(
        "find_for_notification",
        lookup(&pending.transaction_id).await,
    );
    same("a pending Checkout v2 payment", &row, found);

    let mut rest = fixtures::new_payment(&fixtures::order_ref("lookup-2026"), 1500, at(100));
    rest.account = AccountName::new("ci").unwrap_or_else(|e| c.fail(e));
    rest.generation = Generation::Rest2026;
    c.insert(s, &rest).await;
    let answer = Answer::new(c, "5a9e03d1", at(200));
    attach_ok(c, s, &rest.transaction_id, &answer.page()).await;
    let found = c.ok("find_for_notification", lookup(&rest.transaction_id).await);
    let payment = c.get(s, &rest.transaction_id).await;
    same("a 2026 API payment with its notify token", &payment, found);

    let accepted = c.accepted(s, "lookup-accepted", at(300)).await;
    let id = &accepted.transaction_id;
    super::fulfilment::claim_ok(c, s, id, "owner-a", at(400), crate::check::LONG_LEASE, 1).await;
    let found = c.ok("find_for_notification", lookup(id).await);
    c.that(
        matches!(found, Some(PaymentLookup::Open(_))),
        format_args!("an accepted, claimed payment not delivered yet, found {found:?}"),
    );
    same("an accepted, claimed payment", &c.get(s, id).await, found);
    super::fulfilment::complete(c, s, id, "owner-a", at(500), true, "delivered").await;
    let found = c.ok("find_for_notification", lookup(id).await);
    c.that(
        matches!(&found, Some(PaymentLookup::Delivered(summary)) if summary.is_delivered()),
        format_args!("a delivered payment's summary, found {found:?}"),
    );
    same("a delivered payment", &c.get(s, id).await, found);

    let unknown = cinetpay_core::TransactionId::generate();
    let found = c.ok("find_for_notification", lookup(&unknown).await);
    c.that(
        found.is_none(),
        format_args!("find_for_notification of an unknown id to be None, found {found:?}"),
    );
}
