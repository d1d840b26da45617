// Stripe card fields for the portal's Make Payment (portal_app/components/stripe_card.py).
//
// Stripe is created from window.Stripe, loaded from PORTAL_STRIPE_JS_URL (the real
// https://js.stripe.com/v3/, or localstripe's stand-in in tests), and handed to
// @stripe/react-stripe-js's <Elements> as a promise. The card number never reaches our
// server: confirmCardPayment sends it to Stripe and runs 3-D Secure when the bank asks.
// The PaymentIntent's client secret is not a prop or a state var either: the server
// passes it only to window.__portalStripeConfirm(secret), inside the one script that
// confirms, and hears back only { ok, status } or { ok: false, message }.
import React, { useEffect, useMemo } from "react";
import { CardElement, Elements, useElements, useStripe } from "@stripe/react-stripe-js";

const loading = {};

function stripeFrom(jsUrl, publicKey) {
  const key = `${jsUrl} ${publicKey}`;
  if (!loading[key]) {
    loading[key] = new Promise((resolve, reject) => {
      const make = () =>
        window.Stripe ? resolve(window.Stripe(publicKey)) : reject(new Error("no Stripe"));
      if (window.Stripe) return make();
      const script = document.createElement("script");
      script.src = jsUrl;
      script.onload = make;
      script.onerror = () => reject(new Error("Stripe.js could not be loaded"));
      document.head.appendChild(script);
    }).catch((error) => {
      delete loading[key]; // the next mount tries again
      throw error;
    });
  }
  return loading[key];
}

function Confirmer() {
  const stripe = useStripe();
  const elements = useElements();
  useEffect(() => {
    if (!stripe || !elements) return undefined;
    const confirm = async (clientSecret) => {
      const card = elements.getElement(CardElement);
      if (!card) return { ok: false, message: "The card fields are not ready yet." };
      try {
        const r = await stripe.confirmCardPayment(clientSecret, { payment_method: { card } });
        if (r.error) {
          return { ok: false, message: String(r.error.message || "The card was declined.") };
        }
        const intent = r.paymentIntent || {};
        if (intent.status === "requires_payment_method") {
          // Authentication failed or the card was refused after 3-D Secure.
          const why = intent.last_payment_error && intent.last_payment_error.message;
          return { ok: false, message: String(why || "The card could not be authenticated.") };
        }
        return { ok: true, status: String(intent.status) };
      } catch (error) {
        return { ok: false, message: "The card could not be checked. Please try again." };
      }
    };
    window.__portalStripeConfirm = confirm;
    return () => {
      if (window.__portalStripeConfirm === confirm) delete window.__portalStripeConfirm;
    };
  }, [stripe, elements]);
  return null;
}

const CARD_OPTIONS = { hidePostalCode: false };

export function StripeCard({ jsUrl, publicKey, id, className }) {
  const stripe = useMemo(() => stripeFrom(jsUrl, publicKey), [jsUrl, publicKey]);
  return (
    <Elements key={`${jsUrl} ${publicKey}`} stripe={stripe}>
      <CardElement id={id} className={className} options={CARD_OPTIONS} />
      <Confirmer />
    </Elements>
  );
}
