CREATE TABLE "synthetic_jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"dataset_id" text NOT NULL,
	"model_version_id" text NOT NULL,
	"requested_by" text NOT NULL,
	"request" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"runner_id" text,
	"generated" bigint DEFAULT 0 NOT NULL,
	"total" bigint NOT NULL,
	"cancel_requested" boolean DEFAULT false NOT NULL,
	"error" text,
	"dataset_version_id" text,
	"report" text,
	"verdict" text,
	"approved_by" text,
	"approved_at" text,
	"incident_id" text,
	"requested_at" text DEFAULT to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL,
	"finished_at" text
);
--> statement-breakpoint
CREATE TABLE "synthetic_thresholds" (
	"id" text PRIMARY KEY NOT NULL,
	"near_duplicate_jaccard" double precision NOT NULL,
	"max_duplicate_share" double precision NOT NULL,
	"max_closer_share" double precision NOT NULL,
	"max_copied_pii" bigint NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" text DEFAULT to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dataset_versions" ADD COLUMN "source_model_version_id" text;--> statement-breakpoint
ALTER TABLE "synthetic_jobs" ADD CONSTRAINT "synthetic_jobs_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "synthetic_jobs" ADD CONSTRAINT "synthetic_jobs_model_version_id_model_versions_id_fk" FOREIGN KEY ("model_version_id") REFERENCES "public"."model_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "synthetic_jobs" ADD CONSTRAINT "synthetic_jobs_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "synthetic_jobs" ADD CONSTRAINT "synthetic_jobs_dataset_version_id_dataset_versions_id_fk" FOREIGN KEY ("dataset_version_id") REFERENCES "public"."dataset_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "synthetic_jobs" ADD CONSTRAINT "synthetic_jobs_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "synthetic_jobs" ADD CONSTRAINT "synthetic_jobs_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "synthetic_thresholds" ADD CONSTRAINT "synthetic_thresholds_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "synthetic_jobs_dataset_idx" ON "synthetic_jobs" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "synthetic_jobs_status_idx" ON "synthetic_jobs" USING btree ("status");