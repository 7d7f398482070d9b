import type { ComponentChildren } from 'preact';
import { onLinkClick } from '../router';

/** An in-app link: a real <a href> (open in a new tab works), navigated without reload. */
export function Link(props: { to: string; class?: string; children: ComponentChildren; title?: string }) {
  return (
    <a href={props.to} class={props.class} title={props.title} onClick={(e) => onLinkClick(e, props.to)}>
      {props.children}
    </a>
  );
}
