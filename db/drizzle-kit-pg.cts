// What drizzle-kit reads to generate db/migrations-pg: every PostgreSQL table of db/schema-pg.ts as a named export.
module.exports = require("./schema-pg").pgSchema;
