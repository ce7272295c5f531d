CREATE TABLE "federation_declarations" (
	"dataset_version_id" text NOT NULL,
	"party_id" text NOT NULL,
	"name" text NOT NULL,
	"stated_units" bigint NOT NULL,
	"public_key_sha256" text NOT NULL,
	"enrolled_at" text NOT NULL,
	CONSTRAINT "federation_declarations_dataset_version_id_party_id_pk" PRIMARY KEY("dataset_version_id","party_id")
);
--> statement-breakpoint
ALTER TABLE "federation_declarations" ADD CONSTRAINT "federation_declarations_dataset_version_id_dataset_versions_id_fk" FOREIGN KEY ("dataset_version_id") REFERENCES "public"."dataset_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "federation_declarations" ADD CONSTRAINT "federation_declarations_party_id_federation_parties_id_fk" FOREIGN KEY ("party_id") REFERENCES "public"."federation_parties"("id") ON DELETE no action ON UPDATE no action;