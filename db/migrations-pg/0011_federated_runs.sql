ALTER TABLE "datasets" ADD COLUMN "federation" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "federation_rounds" ADD COLUMN "run_id" text;--> statement-breakpoint
ALTER TABLE "federation_rounds" ADD COLUMN "attempt" bigint;