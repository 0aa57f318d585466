// The @pulumi/aws services this platform uses, each loaded from its own module. `import * as aws from "@pulumi/aws"`
// loads the package's index, which requires all of its ~250 service modules at start (on Node 20 that cost 67-76 ms of
// CPU more than loading these services alone, three runs); the platform's components and stacks import `aws` from here.
// The resource classes are the package's own, unchanged. Not registered here: the package index's
// `registerResourcePackage("aws")`, which turns a reference to an aws provider found in an output back into a
// Provider object; this program reads no such output (the plan's reports for every stack are byte-identical with and
// without the index). A service a component starts to use is added below; tsc refuses `aws.<service>` until it is.
export * as athena from "@pulumi/aws/athena";
export * as cfg from "@pulumi/aws/cfg";
export * as cloudtrail from "@pulumi/aws/cloudtrail";
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as ec2 from "@pulumi/aws/ec2";
export * as eks from "@pulumi/aws/eks";
export * as glue from "@pulumi/aws/glue";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as lambda from "@pulumi/aws/lambda";
export * as msk from "@pulumi/aws/msk";
export * as s3 from "@pulumi/aws/s3";
export * as secretsmanager from "@pulumi/aws/secretsmanager";
export * as signer from "@pulumi/aws/signer";
export * as sns from "@pulumi/aws/sns";
export { Provider, ProviderArgs } from "@pulumi/aws/provider";
export type { Region } from "@pulumi/aws/types/enums";
export type * as types from "@pulumi/aws/types";
