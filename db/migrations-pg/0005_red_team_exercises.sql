CREATE TABLE "red_team_exercises" (
	"id" text PRIMARY KEY NOT NULL,
	"model_version_id" text NOT NULL,
	"requested_by" text NOT NULL,
	"request" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"runner_id" text,
	"error" text,
	"report" text,
	"unmasked" text,
	"incident_id" text,
	"requested_at" text DEFAULT to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL,
	"computed_at" text
);
--> statement-breakpoint
ALTER TABLE "red_team_exercises" ADD CONSTRAINT "red_team_exercises_model_version_id_model_versions_id_fk" FOREIGN KEY ("model_version_id") REFERENCES "public"."model_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "red_team_exercises" ADD CONSTRAINT "red_team_exercises_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "red_team_exercises" ADD CONSTRAINT "red_team_exercises_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "red_team_exercises_model_idx" ON "red_team_exercises" USING btree ("model_version_id","requested_at");--> statement-breakpoint
CREATE INDEX "red_team_exercises_status_idx" ON "red_team_exercises" USING btree ("status");