CREATE TYPE "public"."account_state" AS ENUM('active', 'cooling', 'needs_reauth', 'no_credits', 'disabled');--> statement-breakpoint
CREATE TYPE "public"."account_tier" AS ENUM('ultra', 'pro');--> statement-breakpoint
CREATE TYPE "public"."job_status" AS ENUM('queued', 'submitting', 'running', 'succeeded', 'failed', 'cancelled');--> statement-breakpoint
CREATE TABLE "accounts" (
	"email" text PRIMARY KEY NOT NULL,
	"tier" "account_tier" DEFAULT 'pro' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"state" "account_state" DEFAULT 'active' NOT NULL,
	"cooling_until" timestamp with time zone,
	"state_reason" text,
	"max_concurrent" integer DEFAULT 4 NOT NULL,
	"max_per_minute" integer DEFAULT 10 NOT NULL,
	"remaining_credits" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_attempts" (
	"id" text PRIMARY KEY NOT NULL,
	"job_id" text NOT NULL,
	"kind" text NOT NULL,
	"account" text,
	"status_code" integer,
	"outcome" text,
	"reason" text,
	"upstream_job_id" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"status" "job_status" DEFAULT 'queued' NOT NULL,
	"request" jsonb NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"metadata" jsonb,
	"batch_id" text,
	"owner_key" text,
	"account" text,
	"upstream_job_id" text,
	"callback_secret" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"submissions" integer DEFAULT 0 NOT NULL,
	"result" jsonb,
	"error" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"deadline_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "job_attempts" ADD CONSTRAINT "job_attempts_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "job_attempts_job_idx" ON "job_attempts" USING btree ("job_id","started_at");--> statement-breakpoint
CREATE INDEX "jobs_status_id_idx" ON "jobs" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "jobs_batch_idx" ON "jobs" USING btree ("batch_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_upstream_job_id_idx" ON "jobs" USING btree ("upstream_job_id") WHERE "jobs"."upstream_job_id" is not null;