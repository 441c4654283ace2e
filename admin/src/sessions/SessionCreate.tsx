import { Create, SimpleForm } from 'react-admin';
import { BanRiskNotice } from './BanRiskNotice';
import { SessionInputs } from './SessionInputs';

export function SessionCreate() {
    return (
        <Create redirect="show">
            <SimpleForm>
                <SessionInputs />
                <BanRiskNotice />
            </SimpleForm>
        </Create>
    );
}
