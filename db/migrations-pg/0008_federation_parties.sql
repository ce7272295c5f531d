CREATE TABLE "federation_parties" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'invited' NOT NULL,
	"token_digest" text,
	"token_expires_at" text NOT NULL,
	"public_key" text,
	"stated_units" bigint,
	"last_sequence" bigint DEFAULT 0 NOT NULL,
	"last_seen_at" text,
	"last_round_id" text,
	"created_by" text NOT NULL,
	"created_at" text DEFAULT to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL,
	"enrolled_at" text,
	CONSTRAINT "federation_parties_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "federation_parties" ADD CONSTRAINT "federation_parties_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;