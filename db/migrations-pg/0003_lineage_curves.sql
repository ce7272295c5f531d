CREATE TABLE "ledger_run_contributions" (
	"run_id" text PRIMARY KEY NOT NULL,
	"dataset_id" text NOT NULL,
	"reserved_steps" bigint NOT NULL,
	"charged_steps" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lineage_curves" (
	"dataset_id" text PRIMARY KEY NOT NULL,
	"orders_digest" text NOT NULL,
	"reserved" text NOT NULL,
	"charged" text NOT NULL,
	"updated_at" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ledger_run_contributions" ADD CONSTRAINT "ledger_run_contributions_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_run_contributions" ADD CONSTRAINT "ledger_run_contributions_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lineage_curves" ADD CONSTRAINT "lineage_curves_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_run_contributions_dataset_idx" ON "ledger_run_contributions" USING btree ("dataset_id");