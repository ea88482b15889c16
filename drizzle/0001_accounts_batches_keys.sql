CREATE TYPE "public"."batch_status" AS ENUM('ingesting', 'active', 'finished', 'cancelled', 'failed');--> statement-breakpoint
CREATE TABLE "account_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"from_state" text,
	"to_state" text,
	"reason" text,
	"until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"hash" text NOT NULL,
	"admin" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_keys_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "batches" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text,
	"owner_key" text,
	"status" "batch_status" DEFAULT 'ingesting' NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"accepted" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"defaults" jsonb,
	"errors" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"owner_key" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_owner_key_key_pk" PRIMARY KEY("owner_key","key")
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "draining" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "model_quota_until" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "batch_row" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "ref" text;--> statement-breakpoint
CREATE INDEX "account_events_email_idx" ON "account_events" USING btree ("email","at");--> statement-breakpoint
CREATE INDEX "batches_owner_idx" ON "batches" USING btree ("owner_key","id");--> statement-breakpoint
CREATE INDEX "job_attempts_account_idx" ON "job_attempts" USING btree ("account","started_at");--> statement-breakpoint
CREATE INDEX "jobs_batch_row_idx" ON "jobs" USING btree ("batch_id","batch_row");