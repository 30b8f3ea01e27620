import { loadParser } from "../src/parser/pg.js";

await loadParser();
