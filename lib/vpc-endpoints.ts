// The VPC endpoints the tasks reach AWS through when their subnets have no NAT (opt-in with the
// vpcEndpoints context flag): DynamoDB's gateway endpoint on the subnets' route tables, and an
// interface endpoint, in the functions' subnets, for each other service a task calls.
import {
  CfnVPCEndpoint,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type ISecurityGroup,
  type ISubnet,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
} from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/** What the tasks call besides DynamoDB: configuration, identity, events, executions, metrics, FSx. */
const INTERFACE_SERVICES = {
  Ssm: InterfaceVpcEndpointAwsService.SSM,
  Sts: InterfaceVpcEndpointAwsService.STS,
  EventBridge: InterfaceVpcEndpointAwsService.EVENTBRIDGE,
  StepFunctions: InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
  CloudWatch: InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  Fsx: InterfaceVpcEndpointAwsService.FSX,
};

export interface VpcEndpointsProps {
  vpc: IVpc;
  subnets: ISubnet[];
  routeTableIds: string[];
  /** The functions' group: the only one the interface endpoints accept HTTPS from. */
  functionsSecurityGroup: ISecurityGroup;
}

export class VpcEndpoints extends Construct {
  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    // On the route tables the deployer named: imported subnets carry none for CDK's L2 to read.
    new CfnVPCEndpoint(this, 'DynamoDb', {
      vpcId: props.vpc.vpcId,
      serviceName: GatewayVpcEndpointAwsService.DYNAMODB.name,
      vpcEndpointType: 'Gateway',
      routeTableIds: props.routeTableIds,
    });
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'svm-migrate: HTTPS from the task functions to the AWS interface endpoints',
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(
      Peer.securityGroupId(props.functionsSecurityGroup.securityGroupId),
      Port.tcp(443),
      'the task functions',
    );
    for (const [name, service] of Object.entries(INTERFACE_SERVICES)) {
      new InterfaceVpcEndpoint(this, name, {
        vpc: props.vpc,
        service,
        subnets: { subnets: props.subnets },
        securityGroups: [securityGroup],
        privateDnsEnabled: true,
        open: false,
      });
    }
  }
}
