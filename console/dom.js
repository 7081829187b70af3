// Elements from data, safely: every piece of data reaches the page through text nodes and
// attribute setters, never innerHTML, and the page's Content-Security-Policy runs no other script.
// @ts-check

/**
 * What `h` and `fill` take as children: nodes, and strings or numbers (as text); null,
 * undefined and false are skipped; arrays are flattened.
 * @typedef {Node | string | number | null | undefined | false | ChildList} Child
 * @typedef {Array<Child>} ChildList
 */

/**
 * An element's properties for `h`: `class`, `text`, `dataset`, `on<event>` handlers, anything else
 * an attribute (true: present and empty; null, undefined, false: absent).
 * @typedef {string | number | boolean | null | undefined} AttributeValue
 * @typedef {{ class?: string, text?: string | number, dataset?: Record<string, string>, [name: string]: AttributeValue | Record<string, string> | ((event: Event) => unknown) }} Props
 */

/**
 * Creates an element with its properties and children.
 * @param {string} tag
 * @param {Props | null} [props]
 * @param {...Child} children
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = String(value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  appendAll(el, children);
  return el;
}

/** Appends nodes and strings (as text); skips null, undefined and false. @param {Element} el @param {Child[]} children */
export function appendAll(el, children) {
  // (Flattened as unknown[]: tsc can't expand flat() over the recursive Child type.)
  for (const child of /** @type {unknown[]} */ (children).flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's content. @param {Element} el @param {...Child} children */
export function fill(el, ...children) {
  el.replaceChildren();
  appendAll(el, children);
}

/** An element of the page by id. @param {string} id */
export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** An input of the page by id. @param {string} id */
export const input = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
