//! The payment page's words, in French (CinetPay's default) and English.

/// Every text of the page in one language.
#[derive(Debug)]
pub(crate) struct Texts {
    pub(crate) lang: &'static str,
    pub(crate) title: &'static str,
    pub(crate) sandbox_notice: &'static str,
    pub(crate) amount_label: &'static str,
    pub(crate) merchant_label: &'static str,
    pub(crate) reference_label: &'static str,
    pub(crate) choose_operator: &'static str,
    pub(crate) phone_label: &'static str,
    pub(crate) pay: &'static str,
    pub(crate) refuse: &'static str,
    pub(crate) wait: &'static str,
    pub(crate) cancel: &'static str,
    pub(crate) test_actions: &'static str,
    pub(crate) choose_first: &'static str,
    pub(crate) no_operator: &'static str,
    pub(crate) accepted: &'static str,
    pub(crate) refused: &'static str,
    pub(crate) cancelled: &'static str,
    pub(crate) waiting: &'static str,
    pub(crate) redirecting: &'static str,
    pub(crate) back_to_merchant: &'static str,
    pub(crate) back_to_page: &'static str,
    pub(crate) not_found_title: &'static str,
    pub(crate) not_found_text: &'static str,
    pub(crate) expired: &'static str,
    pub(crate) account_label: &'static str,
    pub(crate) test_numbers: &'static str,
    pub(crate) checking: &'static str,
}

const FR: Texts = Texts {
    lang: "fr",
    title: "Paiement",
    sandbox_notice: "Bac à sable CinetPay local : aucun argent réel n'est débité.",
    amount_label: "Montant à payer",
    merchant_label: "Marchand",
    reference_label: "Référence",
    choose_operator: "Choisissez votre moyen de paiement",
    phone_label: "Numéro de téléphone",
    pay: "Payer",
    refuse: "Simuler un refus",
    wait: "Laisser en attente",
    cancel: "Annuler le paiement",
    test_actions: "Autres issues (test)",
    choose_first: "Choisissez un moyen de paiement.",
    no_operator: "Aucun moyen de paiement n'est proposé pour ce paiement.",
    accepted: "Paiement réussi",
    refused: "Paiement refusé",
    cancelled: "Paiement annulé",
    waiting: "Paiement en attente de confirmation",
    redirecting: "Vous allez être redirigé vers le site du marchand…",
    back_to_merchant: "Retourner sur le site du marchand",
    back_to_page: "Revenir au guichet",
    not_found_title: "Paiement introuvable",
    not_found_text: "Ce lien de paiement n'existe pas ou n'existe plus.",
    expired: "Paiement expiré",
    account_label: "compte",
    test_numbers: "Numéros de test",
    checking: "Cette page se met à jour toute seule.",
};

const EN: Texts = Texts {
    lang: "en",
    title: "Payment",
    sandbox_notice: "Local CinetPay sandbox: no real money moves.",
    amount_label: "Amount to pay",
    merchant_label: "Merchant",
    reference_label: "Reference",
    choose_operator: "Choose how to pay",
    phone_label: "Phone number",
    pay: "Pay",
    refuse: "Simulate a refusal",
    wait: "Leave it waiting",
    cancel: "Cancel the payment",
    test_actions: "Other outcomes (testing)",
    choose_first: "Choose a payment method.",
    no_operator: "No payment method is offered for this payment.",
    accepted: "Payment successful",
    refused: "Payment refused",
    cancelled: "Payment cancelled",
    waiting: "Payment awaiting confirmation",
    redirecting: "Taking you back to the merchant…",
    back_to_merchant: "Back to the merchant",
    back_to_page: "Back to the payment page",
    not_found_title: "Payment not found",
    not_found_text: "This payment link does not exist, or no longer does.",
    expired: "Payment expired",
    account_label: "account",
    test_numbers: "Test numbers",
    checking: "This page updates itself.",
};

/// The texts for `lang` (`fr` or `en`); French otherwise.
pub(crate) fn texts(lang: &str) -> &'static Texts {
    if lang.eq_ignore_ascii_case("en") {
        &EN
    } else {
        &FR
    }
}
