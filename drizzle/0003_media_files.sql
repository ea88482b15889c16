ALTER TYPE "public"."job_status" ADD VALUE 'archiving' BEFORE 'succeeded';--> statement-breakpoint
CREATE TABLE "media_files" (
	"id" text PRIMARY KEY NOT NULL,
	"job_id" text NOT NULL,
	"owner_key" text,
	"clip_index" integer NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"storage_key" text NOT NULL,
	"upstream_url" text NOT NULL,
	"upstream_expires_at" timestamp with time zone,
	"bytes" bigint,
	"sha256" text,
	"content_type" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "media_files" ADD CONSTRAINT "media_files_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "media_files_job_clip_kind_idx" ON "media_files" USING btree ("job_id","clip_index","kind");--> statement-breakpoint
CREATE INDEX "media_files_archived_at_idx" ON "media_files" USING btree ("archived_at") WHERE "media_files"."status" = 'archived';