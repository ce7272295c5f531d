"use client";
// A button for an action that cannot be taken back (deploy, withdraw, disable, cancel): the first click asks, in
// place, and only "Yes, …" acts.
import { useState, type ReactNode } from "react";

export function ConfirmButton(props: {
  children: ReactNode;
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  className?: string;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className={props.className} disabled={props.disabled} onClick={() => setAsking(true)}>
        {props.children}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={props.question}>
      <span>{props.question}</span>{" "}
      <button
        type="button"
        className="danger"
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.confirmLabel}
      </button>{" "}
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        Keep it
      </button>
    </span>
  );
}
