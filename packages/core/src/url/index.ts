export { ConnectionComponents, type ConnectionComponentsInput } from "./components.js";
export { normalizeComponents } from "./normalize.js";
export { parseConnectionUrl } from "./parse.js";
export { maskUrlPasswords } from "./redact.js";
export { type RenderConnectionUrlOptions, renderConnectionUrl } from "./render.js";
