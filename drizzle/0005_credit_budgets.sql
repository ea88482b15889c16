ALTER TYPE "public"."job_status" ADD VALUE 'over_budget' BEFORE 'submitting';--> statement-breakpoint
ALTER TABLE "batches" ADD COLUMN "max_credits" integer;--> statement-breakpoint
ALTER TABLE "batches" ADD COLUMN "committed_credits" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "max_credits" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "budgeted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "reserved_credits" integer;