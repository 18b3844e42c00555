// Vite’s client types: `?url` and `?worker` imports, import.meta.env.
/// <reference types="vite/client" />
